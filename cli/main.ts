import { VERSION } from './version.js';

// `--version` is answered before anything else loads: it is the start-up budget's yardstick.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(VERSION + '\n');
} else {
  const { run } = await import('./run.js');
  process.exitCode = await run(process.argv);
}

import { writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { specKittyHome } from '../home.js';
import { requireCached } from './code-cache.js';
import { VERSION } from '../version.js';

/** A hash of dist/cli.cjs, injected by build.mjs: it keys the code cache to the bundle's content. */
declare const __SPEC_KITTY_BUNDLE_HASH__: string;

// The shipped entry point: it answers `--version` before anything loads, and runs the CLI
// bundle (dist/cli.cjs) through a V8 code cache kept per command.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(VERSION + '\n');
} else {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const command = args.find((a) => !a.startsWith('-'))?.replace(/[^a-z-]/g, '') || 'root';
  // Next to the bundle when that is writable (a checkout, npm link); else the user's private home.
  const cacheDirs = [join(here, '.cache'), join(specKittyHome(), 'cache')];
  const { run } = requireCached(join(here, 'cli.cjs'), command, __SPEC_KITTY_BUNDLE_HASH__, cacheDirs, (url) => import(url)) as { run(argv: string[]): Promise<number> };
  // A run that never settles (work waiting on something that will never come) ends when the event
  // loop empties: that must not look like success.
  let settled = false;
  process.once('exit', (code) => {
    if (settled || code !== 0) return;
    process.exitCode = 1;
    try {
      writeSync(2, 'error: spec-kitty stopped before the command finished (something it waited for never came); nothing more was done\n');
    } catch { /* stderr is gone: the exit code still says it */ }
  });
  // No top-level await: the launcher is built as CommonJS.
  void run(process.argv).then((code) => {
    settled = true;
    process.exitCode = code;
    // Once nothing is left to run (output written, plugins stopped), exit at once: Node's own
    // tear-down of the heap and handles that follows otherwise takes a few ms on a small machine.
    // A beforeExit listener of a plugin may have started more work: then wait for that too.
    const exitWhenIdle = () => {
      if (process.getActiveResourcesInfo().length === 0) process.exit();
      else process.once('beforeExit', exitWhenIdle);
    };
    process.once('beforeExit', exitWhenIdle);
  });
}

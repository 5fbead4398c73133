import { CommanderError } from 'commander';
import { messageOf } from '../core/errors.js';
import { EXIT } from './exit-codes.js';
import { createProgram } from './program.js';
import { cliLogger, shutdown } from './runtime.js';

/** Runs one command line; resolves to the process exit code. */
export async function run(argv: string[]): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    return report(err);
  } finally {
    await shutdown().catch((err) => cliLogger().debug(`shutdown: ${messageOf(err)}`));
  }
}

function report(err: unknown): number {
  if (err instanceof CommanderError) {
    // Commander has printed its message already; --help and --version land here with code 0.
    return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  const e = err as Error & { exitCode?: number };
  if (e?.name === 'PersistError') {
    cliLogger().error(`${e.message}\nThe change that needed this event was not made; fix the cause above and run the command again.`);
    return EXIT.notQueued;
  }
  if (e?.name === 'UserError' || e?.name === 'PluginConfigError' || e?.name === 'ContractError') {
    cliLogger().error(e.message);
    return e.exitCode ?? EXIT.failure;
  }
  cliLogger().error(`unexpected failure: ${e?.stack ?? messageOf(err)}\n(set NODE_OPTIONS=--enable-source-maps for source locations, and please report this)`);
  return EXIT.failure;
}

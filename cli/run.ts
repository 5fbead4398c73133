import { CommanderError } from 'commander';
import { messageOf } from '../core/errors.js';
import { ERROR_CODES, EXIT } from './exit-codes.js';
import { OutputError, outputFailure } from './launcher/stdio.js';
import { printJson } from './output.js';
import { createProgram } from './program.js';
import { cliLogger, shutdown } from './runtime.js';

/** Runs one command line; resolves to the process exit code. */
export async function run(argv: string[]): Promise<number> {
  const program = createProgram();
  // Whether the command that runs was given --json, once commander has parsed it; before that
  // (an unknown option, an invalid value), argv tells.
  let json: boolean | undefined;
  program.hook('preAction', (_program, action) => { json = action.opts().json === true; });
  let code: number;
  try {
    await program.parseAsync(argv);
    code = typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    code = report(err, json ?? askedForJson(argv));
  } finally {
    await shutdown().catch((err) => quietly(() => cliLogger().debug(`shutdown: ${messageOf(err)}`)));
  }
  // Output that failed on its stream (a plugin's console.log to a full disk) was said there.
  return code === EXIT.ok && outputFailure() ? EXIT.failure : code;
}

/** `--json` among the arguments, before a `--` that ends the options. */
function askedForJson(argv: string[]): boolean {
  const args = argv.slice(2);
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).includes('--json');
}

export interface ErrorReport {
  /** The stable code of the JSON error object (ERROR_CODES, or a UserError's own). */
  code: string;
  message: string;
  exitCode: number;
  /** What goes to stderr; undefined when it has been printed already (commander's own errors). */
  log?: string;
  /** Stdout itself failed: no JSON error is attempted. */
  stdoutFailed?: boolean;
}

/** What an error means for the user: its code, message, exit code and stderr text. */
export function describeError(err: unknown): ErrorReport {
  if (err instanceof CommanderError) {
    // Commander has printed its message already; --help and --version land here with code 0.
    const message = err.message.replace(/^error: /, '');
    return { code: ERROR_CODES.usage, message, exitCode: err.exitCode === 0 ? EXIT.ok : EXIT.usage };
  }
  if (err instanceof OutputError) {
    return { code: ERROR_CODES.failed, message: err.message, exitCode: EXIT.failure, log: err.message, stdoutFailed: err.fd === 1 };
  }
  const e = err as Error & { exitCode?: number; code?: unknown };
  if (e?.name === 'PersistError') {
    return {
      code: ERROR_CODES.notQueued, message: e.message, exitCode: EXIT.notQueued,
      log: `${e.message}\nThe change that needed this event was not made; fix the cause above and run the command again.`,
    };
  }
  if (e?.name === 'UserError') {
    const exitCode = e.exitCode ?? EXIT.failure;
    const code = typeof e.code === 'string' ? e.code : exitCode === EXIT.usage ? ERROR_CODES.usage : ERROR_CODES.failed;
    return { code, message: e.message, exitCode, log: e.message };
  }
  if (e?.name === 'PluginConfigError' || e?.name === 'ContractError') {
    const code = e.name === 'PluginConfigError' ? ERROR_CODES.invalidPluginConfig : ERROR_CODES.contractViolation;
    return { code, message: e.message, exitCode: e.exitCode ?? EXIT.failure, log: e.message };
  }
  const errno = (err as NodeJS.ErrnoException)?.code;
  if (errno === 'ENOSPC' || errno === 'EDQUOT') {
    // A full disk is the machine's state, not our bug: one line, no stack.
    return { code: ERROR_CODES.failed, message: messageOf(err), exitCode: EXIT.failure, log: `${messageOf(err)}; free some space and run the command again` };
  }
  return {
    code: ERROR_CODES.internal, message: `unexpected failure: ${messageOf(err)}`, exitCode: EXIT.failure,
    log: `unexpected failure: ${e?.stack ?? messageOf(err)}\n(set NODE_OPTIONS=--enable-source-maps for source locations, and please report this)`,
  };
}

/** Says what went wrong (stderr; and stdout as a JSON error object for a --json command); returns the exit code. */
function report(err: unknown, json: boolean): number {
  const r = describeError(err);
  if (r.exitCode === EXIT.ok) return r.exitCode;
  if (r.log !== undefined) quietly(() => cliLogger().error(r.log!));
  if (json && !r.stdoutFailed) quietly(() => printJson({ error: { code: r.code, message: r.message } }));
  return r.exitCode;
}

/** Reporting a failure must not fail in turn: output that cannot be written is dropped. */
function quietly(write: () => void): void {
  try {
    write();
  } catch {
    /* stdout or stderr is gone; the exit code still tells */
  }
}

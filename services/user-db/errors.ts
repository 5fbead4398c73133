import { accessSync, constants, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname } from 'node:path';
import { UserError, messageOf } from '../../core/errors.js';
import { isAccessProblem } from './sqlite/errors.js';

/**
 * The offline queue cannot be used: a folder where queue.db should be, a permission problem, a
 * damaged file that could not be salvaged. A UserError, so the CLI prints one line and no stack
 * (exit 1; an emitting command gets exit 3, since its event could not be queued), and `code`
 * names the case for `--json` output.
 */
export class QueueUnavailableError extends UserError {
  readonly code = 'queue_unavailable';

  constructor(message: string, options?: { cause?: unknown }) {
    // One line, whatever the driver or the system said.
    super(message.replace(/\s*\n\s*/g, ' '));
    if (options && 'cause' in options) this.cause = options.cause;
  }
}

const errnoOf = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' ? code : undefined;
};

/** The errno `access(2)` gives for `mode`, or undefined when access is allowed. */
function denied(path: string, mode: number): string | undefined {
  try {
    accessSync(path, mode);
    return undefined;
  } catch (err) {
    return errnoOf(err) ?? 'denied';
  }
}

function who(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}`;
  }
}

const RW = constants.R_OK | constants.W_OK;
const DIR_RW = constants.W_OK | constants.X_OK;

/**
 * Says what stops this process from using queue.db and what the user can do about it. Permission
 * problems are told as such: they are never damage, and the file is never touched because of one.
 */
export function queueUnavailable(path: string, error: unknown): QueueUnavailableError {
  if (error instanceof QueueUnavailableError) return error;
  const home = dirname(path);
  let stat: ReturnType<typeof statSync> | undefined;
  try {
    stat = statSync(path, { throwIfNoEntry: false });
  } catch { /* the folder cannot be searched: reported below */ }

  if (stat?.isDirectory()) {
    return new QueueUnavailableError(
      `the offline queue ${path} is a folder, not a file. Move it out of the way (spec-kitty then starts a new queue.db there), ` +
      'or set SPEC_KITTY_HOME to another folder.', { cause: error });
  }
  const code = errnoOf(error) ?? '';
  if (isAccessProblem(error) || ['EACCES', 'EPERM', 'EROFS'].includes(code)) {
    const file = stat ? denied(path, RW) : undefined;
    if (file) {
      return new QueueUnavailableError(
        `permission denied: ${who()} cannot read and write the offline queue ${path} (${file}). Check the ownership and mode of ` +
        '$SPEC_KITTY_HOME/queue.db: it must belong to you and be readable and writable (chmod 600). The file was left as it is.', { cause: error });
    }
    const folder = denied(home, DIR_RW);
    if (folder) {
      return new QueueUnavailableError(stat
        ? `permission denied: the offline queue ${path} cannot be used because its folder $SPEC_KITTY_HOME (${home}) is not writable for ${who()} (${folder}); ` +
          'SQLite keeps queue.db-wal and queue.db-shm beside it. Check the ownership and mode of that folder and of $SPEC_KITTY_HOME/queue.db. The file was left as it is.'
        : `permission denied: cannot create the offline queue ${path}: $SPEC_KITTY_HOME (${home}) is not writable for ${who()} (${folder}). ` +
          'Check its ownership and mode, or set SPEC_KITTY_HOME to a folder you own.', { cause: error });
    }
    for (const side of ['-wal', '-shm']) {
      const sideDenied = statSync(path + side, { throwIfNoEntry: false }) ? denied(path + side, RW) : undefined;
      if (sideDenied) {
        return new QueueUnavailableError(
          `permission denied: ${who()} cannot read and write ${path}${side} (${sideDenied}), which SQLite keeps beside the offline queue. ` +
          'Check the ownership and mode of the queue.db files in $SPEC_KITTY_HOME. Nothing was changed.', { cause: error });
      }
    }
    if (code.startsWith('SQLITE_READONLY')) {
      return new QueueUnavailableError(
        `the offline queue ${path} can only be read, not written (${messageOf(error)}). Check the ownership and mode of $SPEC_KITTY_HOME/queue.db ` +
        'and of its folder, and that the file system is not mounted read-only. The file was left as it is.', { cause: error });
    }
  }
  return new QueueUnavailableError(
    `cannot open the offline queue ${path} (${messageOf(error)}); check that $SPEC_KITTY_HOME (${home}) is a writable folder and that queue.db is a file`,
    { cause: error });
}

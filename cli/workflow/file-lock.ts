import { hostname } from 'node:os';
import { UserError } from '../../core/errors.js';
import { withLock, type LockOwner } from '../../lib/lock.js';
import { writeFd } from '../launcher/stdio.js';

/** Where the one "waiting for …" line goes: a warning on stderr unless the caller passes its logger's. */
export type WaitNotice = (message: string) => void;

const warnOnStderr: WaitNotice = (message) => writeFd(2, `warning: ${message}\n`);

/** "waiting for another spec-kitty command (pid 123) that is changing kitty-specs/…/WP01-x.md" */
export function waitingMessage(owner: LockOwner | undefined, displayPath: string): string {
  const who = owner ? ` (pid ${owner.pid}${owner.hostname === hostname() ? '' : ` on ${owner.hostname}`})` : '';
  return `waiting for another spec-kitty command${who} that is changing ${displayPath}`;
}

/**
 * Runs `fn` holding a cross-process lock on `path`. Two concurrent `implement WP01` runs
 * would otherwise both read `planned` and both emit planned → doing: under the lock the
 * second one reads `doing` and emits nothing, so each transition yields exactly one event.
 * A lock still held after half a second is announced once, through `notice`.
 */
export async function withFileLock<T>(path: string, displayPath: string, fn: () => Promise<T>, notice: WaitNotice = warnOnStderr): Promise<T> {
  try {
    return await withLock(path, {
      staleMs: 15_000,
      waitMs: 20_000,
      onWait: (owner) => notice(waitingMessage(owner, displayPath)),
    }, fn);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw new UserError(`${displayPath} is being changed by another spec-kitty command; wait for it to finish and run this again`);
    }
    throw err;
  }
}

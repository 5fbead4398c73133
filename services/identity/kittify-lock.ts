import { hostname } from 'node:os';
import { join } from 'node:path';
import { withLock, type LockOwner } from '../../lib/lock.js';
import { createLogger } from '../../lib/logger.js';
import { KITTIFY_DIR } from './project-root.js';

export const LOCK_NAME = 'config.lock';

/** Where the one "waiting for …" line goes: a warning on stderr unless the caller passes its logger's. */
export type WaitNotice = (message: string) => void;

const warnOnStderr: WaitNotice = (message) => createLogger().warn(message);

/** "waiting for another spec-kitty command (pid 123) that is changing .kittify/config.yaml" */
export function kittifyWaitingMessage(owner: LockOwner | undefined): string {
  const who = owner ? ` (pid ${owner.pid}${owner.hostname === hostname() ? '' : ` on ${owner.hostname}`})` : '';
  return `waiting for another spec-kitty command${who} that is changing ${KITTIFY_DIR}/`;
}

/**
 * Runs `fn` holding the project's lock (`.kittify/config.lock`, a directory created with
 * mkdir, so it works across processes and machines sharing the folder). Whoever holds it
 * must re-read what it is about to change: another process may have written it meanwhile.
 * Fails with the fs error (EACCES, EROFS, …) when `.kittify/` cannot be written.
 * A lock still held after half a second is announced once, through `notice`.
 */
export async function withKittifyLock<T>(root: string, fn: () => T | Promise<T>, notice: WaitNotice = warnOnStderr): Promise<T> {
  const dir = join(root, KITTIFY_DIR);
  return withLock(dir, {
    lockPath: join(dir, LOCK_NAME),
    // A holder that died on this machine is seen at once; elsewhere, after this long it is taken over.
    staleMs: 10_000,
    // Under the enrich deadline (core/deadlines.ts), where the identity is resolved.
    waitMs: 4_000,
    onWait: (owner) => notice(kittifyWaitingMessage(owner)),
  }, fn);
}

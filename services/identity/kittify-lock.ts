import { join } from 'node:path';
import { withLock } from '../../lib/lock.js';
import { KITTIFY_DIR } from './project-root.js';

export const LOCK_NAME = 'config.lock';

/**
 * Runs `fn` holding the project's lock (`.kittify/config.lock`, a directory created with
 * mkdir, so it works across processes and machines sharing the folder). Whoever holds it
 * must re-read what it is about to change: another process may have written it meanwhile.
 * Fails with the fs error (EACCES, EROFS, …) when `.kittify/` cannot be written.
 */
export async function withKittifyLock<T>(root: string, fn: () => T | Promise<T>): Promise<T> {
  const dir = join(root, KITTIFY_DIR);
  return withLock(dir, {
    lockPath: join(dir, LOCK_NAME),
    // A holder that died leaves the lock behind; after this long it is taken over.
    staleMs: 10_000,
    waitMs: 10_000,
  }, fn);
}

import { join } from 'node:path';
import { withLock } from '../lock.js';
import { KITTIFY_DIR } from '../project-root.js';

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
    lockfilePath: join(dir, LOCK_NAME),
    realpath: false,
    // A holder that died leaves the lock behind; after this long it is taken over.
    stale: 10_000,
    retries: { retries: 200, minTimeout: 5, maxTimeout: 100, randomize: true },
    // The default handler throws from a timer; a lost lock only matters if we still write, and we re-read first.
    onCompromised: () => {},
  }, fn);
}

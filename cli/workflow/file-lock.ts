import { UserError } from '../../core/errors.js';
import { withLock } from '../../core/lock.js';

/**
 * Runs `fn` holding a cross-process lock on `path`. Two concurrent `implement WP01` runs
 * would otherwise both read `planned` and both emit planned → doing: under the lock the
 * second one reads `doing` and emits nothing, so each transition yields exactly one event.
 */
export async function withFileLock<T>(path: string, displayPath: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await withLock(path, { stale: 15_000, retries: { retries: 100, factor: 1.3, minTimeout: 10, maxTimeout: 250 } }, fn);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw new UserError(`${displayPath} is being changed by another spec-kitty command; wait for it to finish and run this again`);
    }
    throw err;
  }
}

import { UserError } from '../../core/errors.js';
import { withLock } from '../../lib/lock.js';

/**
 * Runs `fn` holding a cross-process lock on `path`. Two concurrent `implement WP01` runs
 * would otherwise both read `planned` and both emit planned → doing: under the lock the
 * second one reads `doing` and emits nothing, so each transition yields exactly one event.
 */
export async function withFileLock<T>(path: string, displayPath: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await withLock(path, { staleMs: 15_000, waitMs: 20_000 }, fn);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw new UserError(`${displayPath} is being changed by another spec-kitty command; wait for it to finish and run this again`);
    }
    throw err;
  }
}

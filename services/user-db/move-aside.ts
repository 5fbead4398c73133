import { constants, copyFileSync, existsSync, linkSync, renameSync, rmSync, statSync } from 'node:fs';
import { withLockSync } from '../../lib/lock.js';

const SIDE_FILES = ['-wal', '-shm'] as const;
// A salvage reads the damaged file row by row under this lock, and nothing refreshes a
// synchronous lock: its stale time is set well above the longest salvage. A holder that died is
// still found at once, by its pid (lib/lock); waiters wait as long, rather than fail.
const LOCK_STALE_MS = 60_000;

/** Identifies one file on disk, so a process never moves aside a file another process just created. */
export function fileIdentity(path: string): string | null {
  try {
    const s = statSync(path);
    return `${s.dev}:${s.ino}`;
  } catch {
    return null;
  }
}

export interface Replacement<T> {
  /** Where the damaged file (and its -wal/-shm) now is: `<path>.corrupt-<timestamp>`. */
  aside: string;
  /** What `build` returned. */
  result: T;
}

const removeTemp = (temp: string) => {
  for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(temp + suffix, { force: true });
};

/**
 * Stops writes to the damaged file across the copy and the swap (see swap-fence.ts): taken before
 * `build`, `fence` just before the swap, `commit` after it, `release` when there is no swap.
 */
export interface SwapGuard {
  fence(): void;
  commit(): void;
  release(): void;
}

/**
 * Replaces the damaged database at `path` by one that `build` writes at a temp path beside it
 * (reading the damaged file as it likes), then keeps the damaged file and its -wal/-shm as
 * `<path>.corrupt-<timestamp>*` so nothing in it is destroyed.
 *
 * One process at a time, under `<path>.recover.lock`. Returns null when `seen` no longer names
 * the file at `path`: another process recovered first, and its new database must be kept.
 *
 * `path` never stops existing: the damaged file is hard-linked to its new name and the new
 * file renamed over it, so a process opening the queue meanwhile finds the damaged file (and
 * queues up behind this lock) or the new one, never an empty place where it would start a
 * third file of its own.
 *
 * A process may hold the damaged file open across the swap. `guard` (when given and had) keeps
 * its writes out of the damaged file from before the copy until after the swap, and fences the
 * file so that its later writes fail there and are made in the new file (see QueueDatabase.run).
 */
export function replaceDamaged<T>(path: string, seen: string | null, build: (temp: string) => T, guard?: () => SwapGuard | null): Replacement<T> | null {
  return withLockSync(path, { lockPath: `${path}.recover.lock`, staleMs: LOCK_STALE_MS, waitMs: LOCK_STALE_MS }, () => {
    if (seen === null || fileIdentity(path) !== seen) return null;
    const temp = `${path}.salvage-${process.pid}`;
    removeTemp(temp);
    const sidesBefore = SIDE_FILES.filter((suffix) => existsSync(path + suffix));
    const held = guard?.() ?? null;
    let aside: string | undefined;
    try {
      let result: T;
      try {
        result = build(temp);
        // Reading the damaged file may have made an empty -wal and its -shm: they hold nothing of it.
        // (The guard's connection has them open: they are seen to once it is closed, below.)
        if (!held) removeEmptySides(path, sidesBefore);
        // Checked again at the end: should the lock have been taken over all the same, the file
        // another process made meanwhile is kept.
        if (fileIdentity(path) !== seen) {
          removeTemp(temp);
          return null;
        }
      } catch (err) {
        removeTemp(temp);
        throw err;
      }
      held?.fence();
      const target = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      for (const suffix of SIDE_FILES) {
        if (existsSync(path + suffix)) renameSync(path + suffix, target + suffix);
      }
      try {
        linkSync(path, target);
      } catch {
        // A file system without hard links: a copy keeps the same bytes.
        copyFileSync(path, target, constants.COPYFILE_EXCL);
      }
      renameSync(temp, path);
      aside = target;
      return { aside, result };
    } finally {
      if (aside === undefined) {
        held?.release();
      } else if (held) {
        held.commit();
        // Moved aside, the file keeps its -wal when the fence is in it, and only then.
        removeEmptySides(aside, sidesBefore);
      }
    }
  });
}

function removeEmptySides(path: string, sidesBefore: readonly string[]): void {
  if (sidesBefore.length === 0 && !(statSync(`${path}-wal`, { throwIfNoEntry: false })?.size)) {
    for (const suffix of SIDE_FILES) rmSync(path + suffix, { force: true });
  }
}

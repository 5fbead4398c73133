import { existsSync, renameSync, statSync } from 'node:fs';
import { withLockSync } from '../../lib/lock.js';

const SIDE_FILES = ['', '-wal', '-shm'] as const;
const LOCK_WAIT_MS = 10_000;

/** Identifies one file on disk, so a process never moves aside a file another process just created. */
export function fileIdentity(path: string): string | null {
  try {
    const s = statSync(path);
    return `${s.dev}:${s.ino}`;
  } catch {
    return null;
  }
}

/**
 * Renames a corrupt database and its -wal/-shm to `<path>.corrupt-<timestamp>*` so nothing in it
 * is destroyed. Returns the new name, or null when `seen` no longer names the file at `path`
 * (another process recovered first: its fresh database must be kept).
 */
export function moveAside(path: string, seen: string | null): string | null {
  return withLockSync(path, { lockPath: `${path}.recover.lock`, staleMs: LOCK_WAIT_MS, waitMs: LOCK_WAIT_MS }, () => {
    const now = fileIdentity(path);
    if (now === null || now !== seen) return null;
    const target = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    for (const suffix of SIDE_FILES) {
      if (existsSync(path + suffix)) renameSync(path + suffix, target + suffix);
    }
    return target;
  });
}

import { existsSync, renameSync, statSync } from 'node:fs';
import lockfile from 'proper-lockfile';
import { sleepSync } from './sleep-sync.js';

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

function withLock<T>(path: string, fn: () => T): T {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    let release: (() => void) | undefined;
    try {
      release = lockfile.lockSync(path, { realpath: false, lockfilePath: `${path}.recover.lock`, stale: LOCK_WAIT_MS });
    } catch (error) {
      if ((error as { code?: string }).code !== 'ELOCKED' || Date.now() > deadline) throw error;
      sleepSync(25);
      continue;
    }
    try {
      return fn();
    } finally {
      release();
    }
  }
}

/**
 * Renames a corrupt database and its -wal/-shm to `<path>.corrupt-<timestamp>*` so nothing in it
 * is destroyed. Returns the new name, or null when `seen` no longer names the file at `path`
 * (another process recovered first: its fresh database must be kept).
 */
export function moveAside(path: string, seen: string | null): string | null {
  return withLock(path, () => {
    const now = fileIdentity(path);
    if (now === null || now !== seen) return null;
    const target = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    for (const suffix of SIDE_FILES) {
      if (existsSync(path + suffix)) renameSync(path + suffix, target + suffix);
    }
    return target;
  });
}

import { existsSync, mkdirSync, renameSync, rmdirSync, statSync, utimesSync } from 'node:fs';
import { sleepSync } from './sleep-sync.js';

export interface LockOptions {
  /** The lock folder; `<target>.lock` by default. */
  lockPath?: string;
  /** A lock whose folder was not touched for this long belongs to a dead holder and is taken over. */
  staleMs?: number;
  /** How long to wait for a held lock before failing with ELOCKED; 0 fails at once. */
  waitMs?: number;
}

const DEFAULT_STALE_MS = 10_000;
const DEFAULT_WAIT_MS = 10_000;
// Waits grow from the first to the last value, with jitter so waiters do not wake in lockstep.
const FIRST_POLL_MS = 5;
const LAST_POLL_MS = 100;

// Below this a live holder could look dead: mtimes may be kept in whole seconds.
const MIN_STALE_MS = 2_000;

const lockPathOf = (target: string, options: LockOptions) => options.lockPath ?? `${target}.lock`;
const staleOf = (options: LockOptions) => Math.max(options.staleMs ?? DEFAULT_STALE_MS, MIN_STALE_MS);

/** Sets the folder's mtime to now, as a live holder does; returns the time set. */
function touch(dir: string): number {
  const now = new Date();
  utimesSync(dir, now, now);
  return now.getTime();
}

/** Whether the folder still carries the mtime we set; a takeover makes it anew, with its own. */
function isOurs(dir: string, mtime: number): boolean {
  try {
    // Within a second: some filesystems keep mtimes in whole seconds.
    return Math.abs(statSync(dir).mtimeMs - mtime) < 1_000;
  } catch {
    return false;
  }
}

/**
 * Removes a lock left by a holder that died; true when it did. The lock is renamed first, and
 * what was renamed is checked to be the folder found stale: between the look and the rename,
 * another waiter may have cleared it and a live process taken the lock anew. That one is put back.
 */
function removeIfStale(dir: string, staleMs: number): boolean {
  const seen = statSync(dir, { throwIfNoEntry: false });
  if (!seen || Date.now() - seen.mtimeMs < staleMs) return false;
  const aside = `${dir}.stale-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  try {
    renameSync(dir, aside);
  } catch {
    return false; // another waiter took it over first
  }
  const moved = statSync(aside);
  if (moved.ino !== seen.ino || moved.mtimeMs !== seen.mtimeMs) {
    // Put back unless yet another process has taken the lock meanwhile: then that one holds it.
    if (!existsSync(dir)) {
      try { renameSync(aside, dir); return false; } catch { /* taken meanwhile */ }
    }
    rmdirSync(aside);
    return false;
  }
  rmdirSync(aside);
  return true;
}

/**
 * One attempt: the release function when the lock was free (or stale), undefined when it is held.
 * Errors other than "held" (EACCES, EROFS) are thrown as they are. A holder refreshes the mtime
 * at half the stale time, so a long hold is never mistaken for a dead one.
 */
function tryTake(dir: string, staleMs: number, refresh: boolean): (() => void) | undefined {
  try {
    mkdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return removeIfStale(dir, staleMs) ? tryTake(dir, staleMs, refresh) : undefined;
  }
  let mtime: number;
  try {
    mtime = touch(dir);
  } catch (err) {
    rmdirSync(dir);
    throw err;
  }
  const timer = refresh
    ? setInterval(() => {
      if (!isOurs(dir, mtime)) return clearInterval(timer);
      try { mtime = touch(dir); } catch { clearInterval(timer); }
    }, staleMs / 2).unref()
    : undefined;
  return () => {
    clearInterval(timer);
    // A lock taken over after a very long hold is someone else's now.
    if (isOurs(dir, mtime)) rmdirSync(dir);
  };
}

const locked = (dir: string) => Object.assign(new Error(`Lock ${dir} is held by another process`), { code: 'ELOCKED' });
const pollMs = (attempt: number) => Math.min(LAST_POLL_MS, FIRST_POLL_MS * 1.5 ** attempt) * (0.5 + Math.random() / 2);
const releaseQuietly = (release: () => void) => {
  try { release(); } catch { /* a lock we cannot remove goes stale and is taken over */ }
};

/**
 * Runs `fn` holding a cross-process lock on `target`: a folder made with mkdir (atomic on every
 * local and network filesystem), whose mtime tells a live holder from a dead one.
 */
export async function withLock<T>(target: string, options: LockOptions, fn: () => T | Promise<T>): Promise<T> {
  const dir = lockPathOf(target, options);
  const deadline = Date.now() + (options.waitMs ?? DEFAULT_WAIT_MS);
  let release: (() => void) | undefined;
  for (let attempt = 0; !(release = tryTake(dir, staleOf(options), true)); attempt++) {
    if (Date.now() >= deadline) throw locked(dir);
    await new Promise((resolve) => setTimeout(resolve, pollMs(attempt)));
  }
  try {
    return await fn();
  } finally {
    releaseQuietly(release);
  }
}

/**
 * The synchronous form, for code that cannot await (SQLite recovery). Nothing refreshes the
 * lock while `fn` runs, so `fn` must finish well within the stale time.
 */
export function withLockSync<T>(target: string, options: LockOptions, fn: () => T): T {
  const dir = lockPathOf(target, options);
  const deadline = Date.now() + (options.waitMs ?? DEFAULT_WAIT_MS);
  let release: (() => void) | undefined;
  for (let attempt = 0; !(release = tryTake(dir, staleOf(options), false)); attempt++) {
    if (Date.now() >= deadline) throw locked(dir);
    sleepSync(pollMs(attempt));
  }
  try {
    return fn();
  } finally {
    releaseQuietly(release);
  }
}

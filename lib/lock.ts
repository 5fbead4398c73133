import { mkdirSync, rmdirSync, statSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import type lockfileT from 'proper-lockfile';
import { sleepSync } from './sleep-sync.js';

type LockOptions = Parameters<typeof lockfileT.lock>[1];

/**
 * Cross-process locks with proper-lockfile's protocol: a `<path>.lock` directory whose mtime
 * tells a live holder from a dead one. The free lock, by far the common case, is taken with
 * one mkdir, exactly as the library would take it; the library itself (with graceful-fs and
 * signal-exit, a noticeable share of a command's start-up) loads only when there is a holder
 * to wait for or a stale lock to take over.
 */
const library = (): typeof lockfileT => createRequire(import.meta.url)('proper-lockfile') as typeof lockfileT;

// The library's default handler throws from a timer: an uncaught exception, possibly mid-write.
// A lost lock is already visible to whoever took it over; the holder finishes what it started.
const ignoreCompromised = (): void => {};

const libraryOptions = (options: LockOptions): LockOptions =>
  ({ realpath: false, ...options, onCompromised: options?.onCompromised ?? ignoreCompromised });

function lockDir(target: string, options: LockOptions): string {
  return options?.lockfilePath ?? `${target}.lock`;
}

/** The library's `stale`: its default, and never under its 2 s floor (waiters use the same). */
const staleMs = (options: LockOptions): number => Math.max(options?.stale ?? 10_000, 2_000);

/** Sets the lock's mtime to now, as a live holder does; returns the time set. */
function touch(dir: string): number {
  const now = new Date();
  utimesSync(dir, now, now);
  return now.getTime();
}

/** Whether the lock still carries the mtime we set; a takeover makes the folder anew, with its own. */
function isOurs(dir: string, mtime: number): boolean {
  try {
    // Within a second: some filesystems keep mtimes in whole seconds.
    return Math.abs(statSync(dir).mtimeMs - mtime) < 1_000;
  } catch {
    return false;
  }
}

/**
 * Takes a free lock; undefined when it is held. Errors other than "held" (EACCES, EROFS) are
 * thrown as they are. With `refresh`, the mtime is kept fresh as the library's holders do, or
 * waiters would take a lock held longer than `stale` for an abandoned one.
 */
function takeFree(dir: string, options: LockOptions, refresh: boolean): (() => void) | undefined {
  try {
    mkdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw err;
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
      try {
        if (!isOurs(dir, mtime)) throw Object.assign(new Error(`Lock ${dir} was taken over`), { code: 'ECOMPROMISED' });
        mtime = touch(dir);
      } catch (err) {
        clearInterval(timer);
        (options?.onCompromised ?? ignoreCompromised)(err as Error);
      }
    }, staleMs(options) / 2).unref()
    : undefined;
  return () => {
    clearInterval(timer);
    // A lock taken over after a very long hold is someone else's now.
    if (isOurs(dir, mtime)) rmdirSync(dir);
  };
}

/** Runs `fn` holding the lock on `target`; waits (per `options.retries`) while another process holds it. */
export async function withLock<T>(target: string, options: LockOptions, fn: () => T | Promise<T>): Promise<T> {
  const dir = lockDir(target, options);
  const release: () => unknown = takeFree(dir, options, true)
    ?? await library().lock(target, libraryOptions(options));
  try {
    return await fn();
  } finally {
    await Promise.resolve().then(() => release()).catch(() => { /* a lock we cannot remove goes stale and is taken over */ });
  }
}

/**
 * The synchronous form, for code that cannot await (SQLite recovery); polls until `waitMs`.
 * Nothing refreshes the lock while `fn` runs, so `fn` must finish well within `stale`.
 */
export function withLockSync<T>(target: string, options: LockOptions & { waitMs: number }, fn: () => T): T {
  const { waitMs, ...rest } = options;
  const dir = lockDir(target, rest);
  const deadline = Date.now() + waitMs;
  for (;;) {
    let release: () => void;
    try {
      release = takeFree(dir, rest, false) ?? library().lockSync(target, libraryOptions(rest));
    } catch (error) {
      if ((error as { code?: string }).code !== 'ELOCKED' || Date.now() > deadline) throw error;
      sleepSync(25);
      continue;
    }
    try {
      return fn();
    } finally {
      try { release(); } catch { /* a lock we cannot remove goes stale and is taken over */ }
    }
  }
}

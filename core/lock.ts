import { mkdirSync, rmdirSync } from 'node:fs';
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

function lockDir(target: string, options: LockOptions): string {
  return options?.lockfilePath ?? `${target}.lock`;
}

/** Takes a free lock; false when it is held. Errors other than "held" (EACCES, EROFS) are thrown as they are. */
function takeFree(dir: string): boolean {
  try {
    mkdirSync(dir);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

const releaseFree = (dir: string) => () => {
  try { rmdirSync(dir); } catch { /* already gone: a stale-lock takeover after a very long hold */ }
};

/** Runs `fn` holding the lock on `target`; waits (per `options.retries`) while another process holds it. */
export async function withLock<T>(target: string, options: LockOptions, fn: () => T | Promise<T>): Promise<T> {
  const dir = lockDir(target, options);
  const release: () => unknown = takeFree(dir)
    ? releaseFree(dir)
    : await library().lock(target, { realpath: false, ...options });
  try {
    return await fn();
  } finally {
    await Promise.resolve(release()).catch(() => { /* a lock we cannot remove goes stale and is taken over */ });
  }
}

/** The synchronous form, for code that cannot await (SQLite recovery); polls until `waitMs`. */
export function withLockSync<T>(target: string, options: LockOptions & { waitMs: number }, fn: () => T): T {
  const { waitMs, ...rest } = options;
  const dir = lockDir(target, rest);
  const deadline = Date.now() + waitMs;
  for (;;) {
    let release: () => void;
    try {
      release = takeFree(dir) ? releaseFree(dir) : library().lockSync(target, { realpath: false, ...rest });
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

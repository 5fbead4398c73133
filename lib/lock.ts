import { existsSync, mkdirSync, readFileSync, readlinkSync, renameSync, rmdirSync, rmSync, statSync, utimesSync, writeFileSync, type Stats } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { sleepSync } from './sleep-sync.js';

/** Who holds a lock, as recorded in the lock folder's owner file. */
export interface LockOwner {
  pid: number;
  hostname: string;
  /** The process's start time where the system tells it (Linux: /proc/<pid>/stat), against pid reuse. */
  start?: string;
  /** The pid namespace (Linux): containers may share a hostname and a folder, but not their pids. */
  pidns?: string;
  /** Unique per take: tells this holding apart from a later one by the same process. */
  token: string;
}

export interface LockOptions {
  /** The lock folder; `<target>.lock` by default. */
  lockPath?: string;
  /** A lock whose folder was not touched for this long belongs to a dead holder and is taken over. */
  staleMs?: number;
  /** How long to wait for a held lock before failing with ELOCKED; 0 fails at once. */
  waitMs?: number;
  /**
   * Called once when the lock is still held `waitNoticeMs` after the first attempt, with its
   * owner (undefined when the holder left no record, e.g. an older version).
   */
  onWait?: (owner: LockOwner | undefined) => void;
  /** When `onWait` is called; 500 ms by default. */
  waitNoticeMs?: number;
}

const DEFAULT_STALE_MS = 10_000;
const DEFAULT_WAIT_MS = 10_000;
const DEFAULT_WAIT_NOTICE_MS = 500;
// Waits grow from the first to the last value, with jitter so waiters do not wake in lockstep.
const FIRST_POLL_MS = 5;
const LAST_POLL_MS = 100;

// Below this a live holder could look dead: mtimes may be kept in whole seconds.
const MIN_STALE_MS = 2_000;

/** The owner record inside the lock folder. */
export const OWNER_FILE = 'owner.json';

const lockPathOf = (target: string, options: LockOptions) => options.lockPath ?? `${target}.lock`;
const staleOf = (options: LockOptions) => Math.max(options.staleMs ?? DEFAULT_STALE_MS, MIN_STALE_MS);

let host: string | undefined;
const thisHost = () => (host ??= hostname());

/** Fields 3 on of /proc/<pid>/stat (state first); undefined off Linux or when hidden. */
function procStat(pid: number | 'self'): string[] | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/<pid>/stat: the start time in clock ticks since boot. */
const startTimeOf = (pid: number | 'self'): string | undefined => procStat(pid)?.[19];
let ownStart: string | undefined | null = null;
const myStart = () => (ownStart === null ? (ownStart = startTimeOf('self')) : ownStart);

let ownNs: string | undefined | null = null;
function myPidNs(): string | undefined {
  if (ownNs !== null) return ownNs;
  try {
    ownNs = process.platform === 'linux' ? readlinkSync('/proc/self/ns/pid') : undefined;
  } catch {
    ownNs = undefined;
  }
  return ownNs;
}

function readOwner(dir: string): LockOwner | undefined {
  try {
    const value = JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')) as Partial<LockOwner>;
    if (!Number.isSafeInteger(value.pid) || (value.pid as number) <= 0 || typeof value.hostname !== 'string') return undefined;
    return {
      pid: value.pid as number,
      hostname: value.hostname,
      token: typeof value.token === 'string' ? value.token : '',
      ...(typeof value.start === 'string' ? { start: value.start } : {}),
      ...(typeof value.pidns === 'string' ? { pidns: value.pidns } : {}),
    };
  } catch {
    return undefined; // missing, or half written by a holder still starting: judged by mtime
  }
}

/**
 * Whether the owner is known to be dead: it ran on this machine and its pid is gone, or the pid
 * now belongs to a process started at another time. Another machine's owner is never known dead.
 */
/**
 * What can be told of a lock's owner: a process of this machine (and pid namespace) is known
 * alive or dead; one elsewhere is unknown, and only the folder's age can tell.
 */
function ownerState(owner: LockOwner): 'alive' | 'dead' | 'unknown' {
  if (owner.hostname !== thisHost()) return 'unknown';
  if (owner.pidns !== undefined && owner.pidns !== myPidNs()) return 'unknown';
  if (owner.pid === process.pid) return 'alive';
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    // EPERM: alive, but another user's.
    return (err as NodeJS.ErrnoException).code === 'ESRCH' ? 'dead' : 'alive';
  }
  const stat = procStat(owner.pid);
  // A zombie answers kill(0) but holds nothing: a detached holder that died may never be reaped.
  if (stat?.[0] === 'Z' || stat?.[0] === 'X') return 'dead';
  if (owner.start === undefined) return 'alive';
  const start = stat?.[19];
  return start !== undefined && start !== owner.start ? 'dead' : 'alive';
}

/** Sets the folder's mtime to now, as a live holder does; returns the time set. */
function touch(dir: string): number {
  const now = new Date();
  utimesSync(dir, now, now);
  return now.getTime();
}

/** Whether the folder is still the one we made: our mtime and our owner token; a takeover makes it anew. */
function isOurs(dir: string, mtime: number, token: string): boolean {
  try {
    // Within a second: some filesystems keep mtimes in whole seconds.
    if (Math.abs(statSync(dir).mtimeMs - mtime) >= 1_000) return false;
  } catch {
    return false;
  }
  const owner = readOwner(dir);
  return owner === undefined || owner.token === token;
}

/** Removes a lock folder: its owner file first, then the folder (which must then be empty). */
function removeLockDir(dir: string): void {
  rmSync(join(dir, OWNER_FILE), { force: true });
  rmdirSync(dir);
}

const sameFolder = (a: Stats, b: Stats) => a.ino === b.ino && a.mtimeMs === b.mtimeMs;

/**
 * Removes a lock left by a holder that died; true when it did. Dead means: an owner on this
 * machine whose process is gone, or, for an owner that cannot be asked, a folder not touched
 * for `staleMs`. The lock is renamed
 * first, and what was renamed is checked to be the folder judged dead: between the look and the
 * rename, another waiter may have cleared it and a live process taken the lock anew. That one is
 * put back.
 */
function removeIfStale(dir: string, staleMs: number): boolean {
  const seen = statSync(dir, { throwIfNoEntry: false });
  if (!seen) return false;
  const owner = readOwner(dir);
  // A live owner is never overtaken, however long it holds (paused, say, or in a long write):
  // two holders would both change what the lock guards.
  const state = owner === undefined ? 'unknown' : ownerState(owner);
  const dead = state === 'dead' || (state === 'unknown' && Date.now() - seen.mtimeMs >= staleMs);
  if (!dead) return false;
  const aside = `${dir}.stale-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  try {
    renameSync(dir, aside);
  } catch {
    return false; // another waiter took it over first
  }
  const moved = statSync(aside);
  if (!sameFolder(moved, seen) || readOwner(aside)?.token !== owner?.token) {
    // Put back unless yet another process has taken the lock meanwhile: then that one holds it.
    if (!existsSync(dir)) {
      try { renameSync(aside, dir); return false; } catch { /* taken meanwhile */ }
    }
    removeLockDir(aside);
    return false;
  }
  removeLockDir(aside);
  return true;
}

/**
 * One attempt: the release function when the lock was free (or stale), undefined when it is held.
 * Errors other than "held" (EACCES, EROFS) are thrown as they are. A holder refreshes the mtime
 * at half the stale time, so a long hold is never mistaken for a dead one.
 *
 * mkdir is the claim. The owner record is written just after it; a waiter that finds no record
 * (or half of one) judges the lock by its mtime, which is fresh, so the gap is safe.
 */
function tryTake(dir: string, staleMs: number, refresh: boolean): (() => void) | undefined {
  try {
    mkdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return removeIfStale(dir, staleMs) ? tryTake(dir, staleMs, refresh) : undefined;
  }
  const token = `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
  let mtime: number;
  try {
    const start = myStart();
    const pidns = myPidNs();
    const owner: LockOwner = {
      pid: process.pid, hostname: thisHost(), ...(start !== undefined ? { start } : {}), ...(pidns !== undefined ? { pidns } : {}), token,
    };
    try {
      writeFileSync(join(dir, OWNER_FILE), JSON.stringify(owner));
    } catch {
      // No record (a full disk, say): the lock still works, judged by its mtime alone.
      rmSync(join(dir, OWNER_FILE), { force: true });
    }
    // After the owner file: writing it changed the folder's mtime.
    mtime = touch(dir);
  } catch (err) {
    try { removeLockDir(dir); } catch { /* goes stale and is taken over */ }
    throw err;
  }
  const timer = refresh
    ? setInterval(() => {
      if (!isOurs(dir, mtime, token)) return clearInterval(timer);
      try { mtime = touch(dir); } catch { clearInterval(timer); }
    }, staleMs / 2).unref()
    : undefined;
  return () => {
    clearInterval(timer);
    // A lock taken over after a very long hold is someone else's now.
    if (isOurs(dir, mtime, token)) removeLockDir(dir);
  };
}

const locked = (dir: string) => Object.assign(new Error(`Lock ${dir} is held by another process`), { code: 'ELOCKED' });
const pollMs = (attempt: number) => Math.min(LAST_POLL_MS, FIRST_POLL_MS * 1.5 ** attempt) * (0.5 + Math.random() / 2);
const releaseQuietly = (release: () => void) => {
  try { release(); } catch { /* a lock we cannot remove goes stale and is taken over */ }
};

/** Calls `onWait` once, the first time it is asked after the notice delay. */
function waitNotice(dir: string, options: LockOptions): () => void {
  const { onWait } = options;
  if (!onWait) return () => {};
  const at = Date.now() + (options.waitNoticeMs ?? DEFAULT_WAIT_NOTICE_MS);
  let told = false;
  return () => {
    if (told || Date.now() < at) return;
    told = true;
    try { onWait(readOwner(dir)); } catch { /* a notice that fails must not break the wait */ }
  };
}

/**
 * Runs `fn` holding a cross-process lock on `target`: a folder made with mkdir (atomic on every
 * local and network filesystem), holding an owner record (pid, hostname, start time), whose
 * mtime tells a live holder from a dead one where the owner cannot be checked.
 */
export async function withLock<T>(target: string, options: LockOptions, fn: () => T | Promise<T>): Promise<T> {
  const dir = lockPathOf(target, options);
  const deadline = Date.now() + (options.waitMs ?? DEFAULT_WAIT_MS);
  const notice = waitNotice(dir, options);
  let release: (() => void) | undefined;
  for (let attempt = 0; !(release = tryTake(dir, staleOf(options), true)); attempt++) {
    if (Date.now() >= deadline) throw locked(dir);
    notice();
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
  const notice = waitNotice(dir, options);
  let release: (() => void) | undefined;
  for (let attempt = 0; !(release = tryTake(dir, staleOf(options), false)); attempt++) {
    if (Date.now() >= deadline) throw locked(dir);
    notice();
    sleepSync(pollMs(attempt));
  }
  try {
    return fn();
  } finally {
    releaseQuietly(release);
  }
}

/**
 * Who holds the lock on `target` now: its owner record, `unknown` for a live holder that left
 * none, or null when the lock is free or its holder is dead (the next taker would take it over).
 */
export function lockHolder(target: string, options: Pick<LockOptions, 'lockPath' | 'staleMs'> = {}): LockOwner | 'unknown' | null {
  const dir = lockPathOf(target, options);
  const seen = statSync(dir, { throwIfNoEntry: false });
  if (!seen) return null;
  const owner = readOwner(dir);
  const state = owner === undefined ? 'unknown' : ownerState(owner);
  if (state === 'dead' || (state === 'unknown' && Date.now() - seen.mtimeMs >= staleOf(options))) return null;
  return owner ?? 'unknown';
}

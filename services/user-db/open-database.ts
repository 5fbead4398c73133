import { accessSync, constants, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { messageOf } from '../../core/errors.js';
import type { Logger } from '../../lib/logger.js';
import { QueueUnavailableError, queueUnavailable } from './errors.js';
import { fileIdentity, replaceDamaged } from './move-aside.js';
import { salvageInto, type Salvage } from './salvage.js';
import { holdForSwap } from './swap-fence.js';
import { migrate } from './schema.js';
import { sleepSync } from '../../lib/sleep-sync.js';
import { isBusy, isCorruption } from './sqlite/errors.js';
import { openSqlite } from './sqlite/open.js';

/** How long a statement waits for another process's write lock before giving up. */
export const BUSY_TIMEOUT_MS = 5000;
const OPEN_ATTEMPTS = 5;

export interface Recovery extends Salvage {
  /** Where the damaged file was kept. */
  aside: string;
}

export interface OpenedDatabase {
  db: Database.Database;
  /** The file this connection opened (see `fileIdentity`); recovery replaces only this file. */
  identity: string | null;
  /** What this process salvaged from a damaged file to open this one; null when it did not. */
  recovered: Recovery | null;
}

function prepare(db: Database.Database): void {
  // WAL lets readers and one writer work side by side across processes. NORMAL does not fsync
  // at commit: clock ticks and bookkeeping ride on the next durable commit (see `durably`).
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  migrate(db);
  // Touches the tables so a damaged page surfaces here, where recovery is cheap, not mid-batch.
  db.prepare('SELECT seq FROM events ORDER BY seq DESC LIMIT 1').get();
}

function ensureHome(path: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new QueueUnavailableError(
      `cannot make $SPEC_KITTY_HOME (${dirname(path)}) for the offline queue: ${messageOf(err)}. Check that $SPEC_KITTY_HOME (${dirname(path)}) is a writable folder, ` +
      'or set SPEC_KITTY_HOME to a folder you own.', { cause: err });
  }
}

function salvageReport(path: string, error: unknown, r: Recovery): string {
  const what = r.lost === null
    ? (r.saved === 0 ? 'none of its events could be read' : `${r.saved} event(s) were salvaged into a new queue`)
    : `${r.saved} event(s) were salvaged into a new queue${r.lost > 0 ? ` and ${r.lost} could not be read` : ', and none was lost'}`;
  return `the offline queue ${path} was damaged (${messageOf(error)}): ${what}. ` +
    `The damaged file was moved aside to ${r.aside}; keep it to inspect, or delete it.`;
}

/**
 * A damaged file is salvaged, not repaired away: every readable event goes into a new file,
 * which then takes its place, and the damaged one is kept aside (see `replaceDamaged`), fenced
 * against the writes of processes that still have it open (see `holdForSwap`). Returns
 * null when another process got there first. A salvage that cannot be done (a read-only
 * $SPEC_KITTY_HOME, a full disk) leaves the damaged file where it is and fails the command:
 * starting an empty queue over it would hide its events.
 */
export function recoverCorruptFile(path: string, identity: string | null, error: unknown, logger: Logger, addon?: () => object): Recovery | null {
  let replaced;
  try {
    replaced = replaceDamaged(path, identity, (temp) => salvageInto(path, temp, { timeoutMs: BUSY_TIMEOUT_MS, addon }),
      () => holdForSwap(path, BUSY_TIMEOUT_MS, addon));
  } catch (err) {
    const home = dirname(path);
    let writable = true;
    try { accessSync(home, constants.W_OK | constants.X_OK); } catch { writable = false; }
    throw new QueueUnavailableError(
      `the offline queue ${path} is damaged (${messageOf(error)}) and its events could not be salvaged into a new file: ` +
      `${writable ? messageOf(err) : `permission denied: $SPEC_KITTY_HOME (${home}) is not writable`}. The damaged file was left as it is. ` +
      `Check that $SPEC_KITTY_HOME (${home}) is writable and has free space, then run the command again.`, { cause: err });
  }
  if (replaced === null) return null;
  const recovery = { ...replaced.result, aside: replaced.aside };
  logger.warn(salvageReport(path, error, recovery));
  return recovery;
}

/**
 * Opens (creating if needed) the per-user queue: folder 0700, WAL, busy timeout, schema current.
 * A damaged file is salvaged into a new one (`recoverCorruptFile`). Anything else that stops the
 * open (a permission, a folder in the way, a newer schema) is a QueueUnavailableError that says
 * what to do, and the file is left alone: a file we may not read is not a damaged file.
 */
export function openQueueDatabase(path: string, logger: Logger, addon?: () => object): OpenedDatabase {
  ensureHome(path);
  let recovered: Recovery | null = null;
  for (let attempt = 1; ; attempt++) {
    const identity = fileIdentity(path);
    let db: Database.Database | undefined;
    try {
      db = openSqlite(path, BUSY_TIMEOUT_MS, addon);
      prepare(db);
      return { db, identity: fileIdentity(path), recovered };
    } catch (error) {
      try { db?.close(); } catch { /* a half-open handle has nothing to flush */ }
      if (attempt >= OPEN_ATTEMPTS || !(isBusy(error) || isCorruption(error))) throw queueUnavailable(path, error);
      // Switching a brand-new file to WAL can meet another first run's lock without waiting on it.
      if (isBusy(error)) {
        sleepSync(20 * attempt);
        continue;
      }
      recovered = recoverCorruptFile(path, identity, error, logger, addon) ?? recovered;
    }
  }
}

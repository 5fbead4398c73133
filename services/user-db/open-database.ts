import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { messageOf } from '../../core/errors.js';
import type { Logger } from '../../lib/logger.js';
import { fileIdentity, moveAside } from './move-aside.js';
import { migrate } from './schema.js';
import { sleepSync } from '../../lib/sleep-sync.js';
import { isBusy, isCorruption } from './sqlite/errors.js';
import { openSqlite } from './sqlite/open.js';

/** How long a statement waits for another process's write lock before giving up. */
export const BUSY_TIMEOUT_MS = 5000;
const OPEN_ATTEMPTS = 5;

export interface OpenedDatabase {
  db: Database.Database;
  /** The file this connection opened (see `fileIdentity`); recovery moves aside only this file. */
  identity: string | null;
  /** A damaged file was moved aside to open this one. */
  recovered: boolean;
}

function unreadable(path: string, error: unknown): boolean {
  if ((error as { code?: unknown })?.code !== 'SQLITE_CANTOPEN' || !existsSync(path)) return false;
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
    return false;
  } catch {
    return true;
  }
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

function cannotOpen(path: string, error: unknown): Error {
  return new Error(
    `cannot open the offline queue ${path} (${messageOf(error)}); check that $SPEC_KITTY_HOME (${dirname(path)}) is a writable folder and that queue.db is a file`,
    { cause: error },
  );
}

/** Moves a broken file aside (telling the user where) so the command can still queue its event. */
export function recoverCorruptFile(path: string, identity: string | null, error: unknown, logger: Logger): void {
  const target = moveAside(path, identity);
  if (target === null) return; // another process already replaced it
  logger.warn(
    `the offline queue ${path} could not be read (${messageOf(error)}); it was moved aside to ${target} ` +
    'and a new queue was started. Events in the old file have not been sent: keep it to inspect, or delete it.',
  );
}

/**
 * Opens (creating if needed) the per-user queue: folder 0700, WAL, busy timeout, schema current.
 * A corrupt or unreadable file is moved aside and replaced rather than failing the command.
 */
export function openQueueDatabase(path: string, logger: Logger, addon?: () => object): OpenedDatabase {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  let recovered = false;
  for (let attempt = 1; ; attempt++) {
    const identity = fileIdentity(path);
    let db: Database.Database | undefined;
    try {
      db = openSqlite(path, BUSY_TIMEOUT_MS, addon);
      prepare(db);
      return { db, identity: fileIdentity(path), recovered };
    } catch (error) {
      try { db?.close(); } catch { /* a half-open handle has nothing to flush */ }
      if (attempt >= OPEN_ATTEMPTS) throw cannotOpen(path, error);
      // Switching a brand-new file to WAL can meet another first run's lock without waiting on it.
      if (isBusy(error)) {
        sleepSync(20 * attempt);
        continue;
      }
      if (!isCorruption(error) && !unreadable(path, error)) throw cannotOpen(path, error);
      recoverCorruptFile(path, identity, error, logger);
      recovered = true;
    }
  }
}

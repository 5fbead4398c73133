import type Database from 'better-sqlite3';
import { openSqlite } from './sqlite/open.js';

/**
 * What a write to a queue file that was moved aside fails with. Every process that still has
 * the damaged file open (a command waiting for a lock, a drainer mid-batch) meets it at its next
 * write; QueueDatabase then opens the live queue.db and runs the write there.
 */
export const MOVED_ASIDE = 'spec-kitty: this queue file was found damaged and moved aside; the live queue is queue.db';

// Every table a process writes; sqlite_sequence is written only through events.
const FENCED_TABLES = ['events', 'meta', 'clock'] as const;
const OPERATIONS = ['INSERT', 'UPDATE', 'DELETE'] as const;

/** True for the error a write to a fenced (moved-aside) file fails with. */
export function isMovedAside(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | undefined;
  return typeof e?.code === 'string' && e.code.startsWith('SQLITE_CONSTRAINT') && e.message === MOVED_ASIDE;
}

/** The damaged file's write lock, held across a salvage's copy and swap (see `holdForSwap`). */
export interface SwapHold {
  /** Adds, uncommitted, the triggers that fail every later write to this file with MOVED_ASIDE. */
  fence(): void;
  /** Commits the fence (after the swap) and lets go of the lock. */
  commit(): void;
  /** Lets go of the lock, dropping an uncommitted fence (the swap did not happen). */
  release(): void;
}

/**
 * Takes the write lock of the damaged database at `path` (BEGIN IMMEDIATE), so that no process
 * commits to it between the salvage's copy and the swap: a write made before is copied, a write
 * waiting for the lock meets the fence committed after the swap and goes to the new file. Null
 * when the lock cannot be had (a file too damaged to begin a transaction on, which no process can
 * write either, or a writer holding it past the timeout): the salvage goes on without it.
 *
 * The connection is closed after the swap, when `path` names the new file: SQLite then neither
 * checkpoints the damaged file nor deletes `path`-wal (which belongs to the new file by then), so
 * the fence stays in the kept-aside -wal and the damaged file's own bytes are unchanged.
 */
export function holdForSwap(path: string, timeoutMs: number, addon?: () => object): SwapHold | null {
  let db: Database.Database | undefined;
  try {
    db = openSqlite(path, timeoutMs, addon, { mustExist: true });
    db.exec('BEGIN IMMEDIATE');
  } catch {
    try { db?.close(); } catch { /* nothing was written */ }
    return null;
  }
  const conn = db;
  const close = () => {
    try { conn.close(); } catch { /* best effort: the lock goes with the connection */ }
  };
  return {
    fence() {
      for (const table of FENCED_TABLES) {
        for (const op of OPERATIONS) {
          // One at a time: a table the damaged schema lacks (or cannot show) is skipped, the rest fenced.
          if (!conn.inTransaction) return; // an error rolled the transaction back: no lock, no fence
          try {
            conn.exec(`CREATE TRIGGER IF NOT EXISTS "spec_kitty_moved_aside_${table}_${op.toLowerCase()}" BEFORE ${op} ON "${table}"
              BEGIN SELECT RAISE(ABORT, '${MOVED_ASIDE.replace(/'/g, "''")}'); END`);
          } catch { /* see above */ }
        }
      }
    },
    commit() {
      try {
        if (conn.inTransaction) conn.exec('COMMIT');
      } catch { /* a fence that cannot be written: writers are left to notice the swap themselves */ }
      close();
    },
    release() {
      try {
        if (conn.inTransaction) conn.exec('ROLLBACK');
      } catch { /* closing rolls back too */ }
      close();
    },
  };
}

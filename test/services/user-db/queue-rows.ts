import Database from 'better-sqlite3';
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '../../../lib/logger.js';
import { QueueDatabase } from '../../../services/user-db/queue-database.js';
import { envelope } from '../../helpers/envelope.js';

export type Row = Record<string, unknown>;

const STATES = ['pending', 'held', 'sent', 'dead', 'prepared'] as const;

/** A row with every column of the v3 schema set, in every state, as the queue and its settling write them. */
export function row(i: number, over: Row = {}): Row {
  const state = STATES[i % STATES.length];
  const e = envelope({ aggregate_id: `WP${String(i).padStart(4, '0')}` });
  // Padding spreads the table over many pages, so damage can hit its middle.
  const env = JSON.stringify({ ...e, payload: { ...e.payload, note: `event ${i} `.repeat(40) } });
  return {
    event_id: e.event_id,
    project_uuid: state === 'held' ? null : e.project_uuid,
    project_slug: state === 'held' ? null : e.project_slug,
    event_type: e.event_type,
    aggregate_id: e.aggregate_id,
    lamport_clock: 1000 + i,
    envelope: env,
    state,
    attempts: state === 'dead' ? 3 : i % 2,
    last_error: state === 'dead' ? 'rejected by the hub' : null,
    next_attempt_at: i * 7,
    claimed_until: 0,
    created_at: 1_700_000_000_000 + i,
    sent_at: state === 'sent' ? 1_700_000_100_000 + i : null,
    intent: state === 'prepared' ? JSON.stringify({ write: `kitty-specs/001-x/tasks/WP${i}.md` }) : null,
    origin: state === 'held' ? `/work/somewhere-${i}` : null,
    ...over,
  };
}

export function insertRow(db: Database.Database, over: Row = {}): void {
  const r = row(Math.floor(Math.random() * 1000), over);
  const cols = Object.keys(r);
  db.prepare(`INSERT INTO events (${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})`).run(r);
}

export const quietLogger = () => {
  const lines: string[] = [];
  return { lines, logger: createLogger({ color: false, write: (l) => lines.push(l) }) };
};

/** A queue.db in `home` made by the real code, holding `n` rows (all columns) and the clock at `clock`. */
export function seedQueue(home: string, n: number, clock = 5000): Row[] {
  const database = new QueueDatabase({ home }, quietLogger().logger);
  const rows = Array.from({ length: n }, (_, i) => row(i));
  database.run((db) => {
    db.transaction(() => {
      for (const r of rows) insertRow(db, r);
      db.prepare(`INSERT INTO clock (name, value) VALUES ('lamport', ?)`).run(clock);
      db.prepare(`INSERT INTO meta (key, value) VALUES ('last_prune_at', '123')`).run();
    })();
  });
  database.close(); // the last connection checkpoints the WAL into the file and removes it
  return readRows(join(home, 'queue.db'));
}

export function readRows(file: string): Row[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT * FROM events ORDER BY seq').all() as Row[];
  } finally {
    db.close();
  }
}

/** The page numbers of one table or index, and the page size. */
export function pagesOf(file: string, name: string): { pages: number[]; pageSize: number } {
  const db = new Database(file, { readonly: true });
  try {
    const pages = (db.prepare('SELECT pageno FROM dbstat WHERE name = ? ORDER BY pageno').all(name) as Array<{ pageno: number }>).map((p) => p.pageno);
    return { pages, pageSize: db.pragma('page_size', { simple: true }) as number };
  } finally {
    db.close();
  }
}

/** Overwrites whole pages with junk, as a bad sector or a stray write would. */
export function damagePages(file: string, pages: number[], pageSize: number): void {
  const fd = openSync(file, 'r+');
  try {
    for (const p of pages) writeSync(fd, Buffer.alloc(pageSize, 0xab), 0, pageSize, (p - 1) * pageSize);
  } finally {
    closeSync(fd);
  }
}

import type Database from 'better-sqlite3';
import { migrate } from './schema.js';
import { openSqlite } from './sqlite/open.js';

/** What a salvage got out of a damaged queue. */
export interface Salvage {
  /** Events copied into the new queue, every column as it was. */
  saved: number;
  /**
   * Events that could not be read: rows the damaged file's table or indexes name but whose
   * content is unreadable or invalid, and row numbers whose page fails to read. Null when not
   * even the list of tables could be read (a file that is not a database at all).
   */
  lost: number | null;
  /** The machine clock's value in the damaged file, when it could be read. */
  clock: number | null;
}

/**
 * The clock row a salvage writes: the value the damaged file's clock had reached. The clock
 * starts a new file above every value in its table (see services/clock), so this one counts.
 */
export const SALVAGED_CLOCK = 'lamport_salvaged';

/** Runs `fn`, giving `fallback` when the damaged file fails it. */
function attempt<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

/** Adds every value `sql` yields before a damaged page stops it; true when it read to the end. */
function collect(source: Database.Database, sql: string, into: Set<number>): boolean {
  try {
    for (const row of source.prepare(sql).iterate() as Iterable<{ seq: number }>) into.add(row.seq);
    return true;
  } catch {
    return false;
  }
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Copies every readable row of `damagedPath` into a new database at `target`, one row at a time,
 * so a damaged page costs only the rows on it. The rows keep their seq (so their order), every
 * column the current schema has, and their event_id stays unique (the first row wins).
 *
 * Which rows exist is asked of the table and, when its scan breaks off, of each index on it
 * (separate pages) and of every row number up to the table's high-water mark. The clock's value
 * and the meta rows are taken too, when readable. `target` is a plain rollback-journal file,
 * committed with a full fsync before it is renamed into place; the next open makes it WAL.
 */
export function salvageInto(damagedPath: string, target: string, options: { timeoutMs: number; addon?: () => object }): Salvage {
  const out = openSqlite(target, options.timeoutMs, options.addon);
  let source: Database.Database | undefined;
  try {
    out.pragma('synchronous = FULL');
    migrate(out);
    source = attempt(() => openSqlite(damagedPath, options.timeoutMs, options.addon, { readonly: true }), undefined);
    return source ? copyRows(source, out) : { saved: 0, lost: null, clock: null };
  } finally {
    try { source?.close(); } catch { /* read-only: nothing to flush */ }
    out.close();
  }
}

function copyRows(source: Database.Database, out: Database.Database): Salvage {
  const wanted = new Set((out.pragma('table_info(events)') as Array<{ name: string }>).map((c) => c.name));
  const columns = attempt(() => (source.pragma('table_info(events)') as Array<{ name: string }>).map((c) => c.name), [] as string[])
    .filter((c) => wanted.has(c));
  const clock = attempt(() => (source.prepare(`SELECT value FROM clock WHERE name = 'lamport'`).get() as { value: number } | undefined)?.value ?? null, null);
  if (!columns.includes('seq') || !columns.includes('event_id')) {
    writeClock(out, clock);
    return { saved: 0, lost: null, clock };
  }

  // Rows the damaged file tells of, from the table and, if its scan breaks off, from each index.
  const known = new Set<number>();
  const whole = collect(source, 'SELECT seq FROM events NOT INDEXED ORDER BY seq', known);
  const highWater = attempt(() => (source.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'events'`).get() as { seq: number } | undefined)?.seq ?? 0, 0);
  const candidates = new Set(known);
  if (!whole) {
    const indexes = attempt(() => source.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'`).all() as Array<{ name: string }>, []);
    for (const { name } of indexes) collect(source, `SELECT seq FROM events INDEXED BY ${quote(name)}`, known);
    // The rows no readable page lists: every row number up to the high-water mark is asked for.
    let top = highWater;
    for (const seq of known) {
      candidates.add(seq);
      if (seq > top) top = seq;
    }
    for (let seq = 1; seq <= top; seq++) candidates.add(seq);
  }

  const list = columns.map(quote).join(', ');
  const read = source.prepare(`SELECT ${list} FROM events WHERE seq = ?`);
  const insert = out.prepare(`INSERT OR IGNORE INTO events (${list}) VALUES (${columns.map(() => '?').join(', ')})`);
  let saved = 0;
  let lost = 0;
  let maxSeq = highWater;
  const order = [...candidates].sort((a, b) => a - b);
  out.transaction(() => {
    order.forEach((seq) => {
      let row: Record<string, unknown> | undefined;
      try {
        row = read.get(seq) as Record<string, unknown> | undefined;
      } catch {
        lost += 1; // its page cannot be read
        return;
      }
      if (row === undefined) {
        if (known.has(seq)) lost += 1; // listed, but the table has no such row any more
        return; // a row number never used, or pruned
      }
      // An envelope that is not JSON would break every later reader of the queue.
      if (!usableEnvelope(row.envelope)) {
        lost += 1;
        return;
      }
      // Constraints are checked as ever: a row that breaks one (a duplicate event_id, a state
      // the schema does not know) is not copied.
      if (insert.run(...columns.map((c) => row![c])).changes === 1) {
        saved += 1;
        maxSeq = Math.max(maxSeq, seq);
      } else {
        lost += 1;
      }
    });
    // A seq is never handed out twice, even for rows the damage took.
    out.prepare(`INSERT INTO sqlite_sequence (name, seq) SELECT 'events', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'events')`).run();
    out.prepare(`UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'events'`).run(maxSeq);
    copyMeta(source, out);
    writeClock(out, clock);
  }).immediate();
  return { saved, lost, clock };
}

function usableEnvelope(text: unknown): boolean {
  if (typeof text !== 'string') return false;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null;
  } catch {
    return false;
  }
}

function copyMeta(source: Database.Database, out: Database.Database): void {
  const rows = attempt(() => source.prepare('SELECT key, value FROM meta').all() as Array<{ key: string; value: string }>, []);
  const insert = out.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)');
  for (const { key, value } of rows) {
    if (typeof key === 'string' && typeof value === 'string') insert.run(key, value);
  }
}

function writeClock(out: Database.Database, clock: number | null): void {
  if (clock === null || !Number.isSafeInteger(clock) || clock <= 0) return;
  out.prepare('INSERT INTO clock (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value)').run(SALVAGED_CLOCK, clock);
}

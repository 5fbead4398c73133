import type Database from 'better-sqlite3';
import { QueueUnavailableError } from './errors.js';

/**
 * Each entry migrates from version i to i + 1; `PRAGMA user_version` records how far a file has
 * come, so an older CLI's file is brought forward in place and nothing queued is lost.
 * Append only: never edit a migration that has shipped.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE events (
    -- AUTOINCREMENT so a pruned tail never hands its seq to a newer event: seq is a stable order.
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id        TEXT    NOT NULL UNIQUE,
    project_uuid    TEXT,
    project_slug    TEXT,
    event_type      TEXT    NOT NULL,
    aggregate_id    TEXT    NOT NULL,
    lamport_clock   INTEGER NOT NULL,
    envelope        TEXT    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'held', 'sent', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    claimed_until   INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER
  );
  CREATE INDEX events_by_state ON events (state, seq);
  CREATE INDEX events_by_aggregate ON events (project_uuid, event_type, aggregate_id, created_at);
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  `,
  // The machine's Lamport clock lives beside the events: one file to open per command.
  `
  CREATE TABLE clock (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
  `,
  // A lane move and its event are one unit: the event waits as 'prepared', with the file change
  // it stands for (intent), until that change is on disk. Held events keep the folder they came
  // from (origin), so the project that later gets an identity there can adopt them.
  // SQLite cannot widen a CHECK in place: the table is rebuilt, keeping every row, its seq and
  // the AUTOINCREMENT high-water mark.
  `
  CREATE TABLE events_v3 (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id        TEXT    NOT NULL UNIQUE,
    project_uuid    TEXT,
    project_slug    TEXT,
    event_type      TEXT    NOT NULL,
    aggregate_id    TEXT    NOT NULL,
    lamport_clock   INTEGER NOT NULL,
    envelope        TEXT    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('prepared', 'pending', 'held', 'sent', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    claimed_until   INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER,
    intent          TEXT,
    origin          TEXT
  );
  INSERT INTO events_v3 (seq, event_id, project_uuid, project_slug, event_type, aggregate_id, lamport_clock, envelope,
    state, attempts, last_error, next_attempt_at, claimed_until, created_at, sent_at)
  SELECT seq, event_id, project_uuid, project_slug, event_type, aggregate_id, lamport_clock, envelope,
    state, attempts, last_error, next_attempt_at, claimed_until, created_at, sent_at FROM events;
  INSERT INTO sqlite_sequence (name, seq)
    SELECT 'events_v3', seq FROM sqlite_sequence WHERE name = 'events'
    AND NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'events_v3');
  UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0))
    WHERE name = 'events_v3';
  DROP TABLE events;
  ALTER TABLE events_v3 RENAME TO events;
  CREATE INDEX events_by_state ON events (state, seq);
  CREATE INDEX events_by_aggregate ON events (project_uuid, event_type, aggregate_id, created_at);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the file to SCHEMA_VERSION; safe when several processes open a new file at once. */
export function migrate(db: Database.Database): void {
  const current = () => db.pragma('user_version', { simple: true }) as number;
  if (current() === SCHEMA_VERSION) return;
  // IMMEDIATE takes the write lock before re-reading the version, so two first runs never both migrate.
  db.transaction(() => {
    const from = current();
    if (from > SCHEMA_VERSION) {
      throw new QueueUnavailableError(`queue.db has schema version ${from}, newer than this spec-kitty understands (${SCHEMA_VERSION}); upgrade spec-kitty`);
    }
    for (let v = from; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

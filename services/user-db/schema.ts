import type Database from 'better-sqlite3';

/**
 * Each entry migrates from version i to i + 1; `PRAGMA user_version` records how far a file has
 * come, so an older CLI's file is brought forward in place and nothing queued is lost.
 * Append only: never edit a migration that has shipped.
 */
const MIGRATIONS: readonly string[] = [
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
      throw new Error(`queue.db has schema version ${from}, newer than this spec-kitty understands (${SCHEMA_VERSION}); upgrade spec-kitty`);
    }
    for (let v = from; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

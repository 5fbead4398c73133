// The hub's SQLite schema, as versioned migrations: PRAGMA user_version is the number applied.
// Append only: a released migration is never edited, a change is a new entry at the end.

export const MIGRATIONS: readonly string[] = [
  // 1: accounts, tokens, events, the materialized board.
  `
  CREATE TABLE teams (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    slug TEXT NOT NULL UNIQUE
  );
  CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    team_id INTEGER NOT NULL REFERENCES teams (id),
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX users_team ON users (team_id);

  -- No foreign key to users: a removed user's tokens stay, revoked, until they expire.
  CREATE TABLE tokens (
    hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('access', 'refresh', 'ws')),
    user_id INTEGER NOT NULL,
    family TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    revoked_at INTEGER
  ) WITHOUT ROWID;
  CREATE INDEX tokens_family ON tokens (family);
  CREATE INDEX tokens_user ON tokens (user_id);
  CREATE INDEX tokens_expires ON tokens (expires_at);

  CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    team_id INTEGER NOT NULL REFERENCES teams (id),
    event_id TEXT NOT NULL,
    project_uuid TEXT,
    event_type TEXT NOT NULL,
    lamport_clock INTEGER NOT NULL,
    node_id TEXT NOT NULL,
    timestamp TEXT NOT NULL,
    envelope TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    UNIQUE (team_id, event_id)
  );
  CREATE INDEX events_project ON events (team_id, project_uuid, seq);

  CREATE TABLE projects (
    team_id INTEGER NOT NULL REFERENCES teams (id),
    project_uuid TEXT NOT NULL,
    project_slug TEXT,
    slug_lamport INTEGER,
    slug_node TEXT,
    slug_event TEXT,
    event_count INTEGER NOT NULL,
    last_event_at TEXT,
    node_ids TEXT NOT NULL,
    PRIMARY KEY (team_id, project_uuid)
  ) WITHOUT ROWID;
  CREATE TABLE features (
    team_id INTEGER NOT NULL,
    project_uuid TEXT NOT NULL,
    feature_slug TEXT NOT NULL,
    name TEXT,
    name_lamport INTEGER,
    name_node TEXT,
    name_event TEXT,
    completed_at TEXT,
    completed_lamport INTEGER,
    completed_node TEXT,
    completed_event TEXT,
    PRIMARY KEY (team_id, project_uuid, feature_slug)
  ) WITHOUT ROWID;
  CREATE TABLE wps (
    team_id INTEGER NOT NULL,
    project_uuid TEXT NOT NULL,
    feature_slug TEXT NOT NULL,
    wp_id TEXT NOT NULL,
    lane TEXT NOT NULL,
    lane_lamport INTEGER NOT NULL,
    lane_node TEXT NOT NULL,
    lane_event TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    title TEXT,
    title_lamport INTEGER,
    title_node TEXT,
    title_event TEXT,
    PRIMARY KEY (team_id, project_uuid, feature_slug, wp_id)
  ) WITHOUT ROWID;
  `,
  // 2: dashboard sessions (hub/auth/sessions.ts) are tokens of kind 'session'. SQLite cannot
  // change a CHECK constraint in place: the table is copied into a new one.
  `
  CREATE TABLE tokens_v2 (
    hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('access', 'refresh', 'ws', 'session')),
    user_id INTEGER NOT NULL,
    family TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    revoked_at INTEGER
  ) WITHOUT ROWID;
  INSERT INTO tokens_v2 (hash, kind, user_id, family, expires_at, used_at, revoked_at)
    SELECT hash, kind, user_id, family, expires_at, used_at, revoked_at FROM tokens;
  DROP TABLE tokens;
  ALTER TABLE tokens_v2 RENAME TO tokens;
  CREATE INDEX tokens_family ON tokens (family);
  CREATE INDEX tokens_user ON tokens (user_id);
  CREATE INDEX tokens_expires ON tokens (expires_at);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

import Database from 'better-sqlite3';
import { chmodSync, closeSync, constants, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { IngestEnvelope } from '../../../contract/index.js';
import { projectKey, sortProjects, toBoardProject, type FeatureState, type WpState } from '../../materialize/index.js';
import {
  HubStorageError,
  type BoardProject,
  type HubStorage,
  type IngestResult,
  type StoredEvent,
  type StoredToken,
  type Team,
  type User,
} from '../storage.js';
import {
  featureState, projectState, toToken, toUser, wpState,
  type EventRow, type FeatureRow, type ProjectRow, type TokenRow, type UserRow, type WpRow,
} from '../rows.js';
import { SqliteIngester, isBusy, isStorageFailure } from './ingest.js';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';

export interface SqliteStorageOptions {
  /** The database file; created 0600 (and its folder 0700) if missing. */
  file: string;
  /** better-sqlite3's native addon (loaded already) or its path, passed to the driver as is. */
  nativeBinding?: string | object;
  /** How long to wait for another process's lock, ms (default 5000). */
  busyTimeoutMs?: number;
}

const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/** The hub's storage on one SQLite file (WAL). Call `migrate()` before anything else. */
export function createSqliteStorage(options: SqliteStorageOptions): HubStorage {
  const db = open(options);
  return new SqliteHubStorage(db, options.file);
}

function open(options: SqliteStorageOptions): Database.Database {
  createPrivateFile(options.file);
  let db: Database.Database;
  try {
    db = new Database(options.file, {
      timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS,
      // The driver takes the loaded addon object too; its typings only name the path form.
      ...(options.nativeBinding !== undefined ? { nativeBinding: options.nativeBinding as string } : {}),
    });
  } catch (error) {
    throw new HubStorageError('unavailable', `cannot open the hub database ${options.file}: ${message(error)}`, { cause: error });
  }
  try {
    // Setting WAL on a new file takes a lock another process may hold for a moment.
    if (db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL'); // an acknowledged event survives power loss
    db.pragma('foreign_keys = ON');
  } catch (error) {
    db.close();
    throw new HubStorageError('unavailable', `cannot open the hub database ${options.file}: ${message(error)}`, { cause: error });
  }
  return db;
}

/** Creates the file with mode 0600 if it does not exist, so SQLite never creates it wider. */
function createPrivateFile(file: string): void {
  if (file === ':memory:' || file === '') return;
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  let fd: number;
  try {
    fd = openSync(file, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw new HubStorageError('unavailable', `cannot create the hub database ${file}: ${message(error)}`, { cause: error });
  }
  closeSync(fd);
  chmodSync(file, 0o600); // whatever the umask
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

const isUnique = (error: unknown) => {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
};

class SqliteHubStorage implements HubStorage {
  private readonly db: Database.Database;
  private readonly file: string;
  private statements: ReturnType<typeof prepare> | null = null;
  private ingestion: SqliteIngester | null = null;
  private closed = false;
  /** One process holds a SQLite hub: its own ingests are all there is to tell. */
  private readonly listeners = new Set<(teamId: number, events: StoredEvent[]) => void>();

  constructor(db: Database.Database, file: string) {
    this.db = db;
    this.file = file;
  }

  /** Statements are prepared once the schema exists (after migrate). */
  private get s(): ReturnType<typeof prepare> {
    if (this.closed) throw new HubStorageError('unavailable', 'the hub database is closed');
    if (this.statements === null) {
      if (this.checkVersion() < SCHEMA_VERSION) {
        throw new HubStorageError('unavailable', `the hub database ${this.file} is not migrated: call migrate() first`);
      }
      this.statements = prepare(this.db);
    }
    return this.statements;
  }

  private get ingester(): SqliteIngester {
    void this.s; // closed, or not migrated: it says so
    this.ingestion ??= new SqliteIngester(
      this.db,
      // Any failure of the database itself (busy, full, I/O) is 'unavailable': the caller answers 503, never `rejected`.
      (error) => (isStorageFailure(error) ? new HubStorageError('unavailable', `the hub database ${this.file} could not store the events: ${message(error)}`, { cause: error }) : error),
      (teamId, events) => { for (const listener of this.listeners) listener(teamId, [...events]); },
    );
    return this.ingestion;
  }

  private checkVersion(): number {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new HubStorageError(
        'unavailable',
        `the hub database ${this.file} has schema version ${version}, newer than this hub knows (${SCHEMA_VERSION}): ` +
          'it was used by a newer spec-kitty; upgrade spec-kitty to serve it',
      );
    }
    return version;
  }

  /** Runs `fn`, reporting a lock that outlasted the busy timeout as 'unavailable'. */
  private run<T>(fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn());
    } catch (error) {
      return Promise.reject(this.busy(error));
    }
  }

  private busy(error: unknown): unknown {
    return isBusy(error) ? new HubStorageError('unavailable', `the hub database ${this.file} is busy: ${message(error)}`, { cause: error }) : error;
  }

  migrate(): Promise<void> {
    return this.run(() => {
      if (this.closed) throw new HubStorageError('unavailable', 'the hub database is closed');
      // IMMEDIATE: the write lock first, so of two processes starting at once one migrates and
      // the other then finds nothing left to do.
      const apply = this.db.transaction(() => {
        const version = this.checkVersion();
        for (let v = version; v < SCHEMA_VERSION; v++) this.db.exec(MIGRATIONS[v]);
        if (version < SCHEMA_VERSION) this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
      });
      apply.immediate();
    });
  }

  close(): Promise<void> {
    if (!this.closed) {
      // Calls already made are committed, not dropped.
      this.ingestion?.drain();
      this.closed = true;
      this.statements = null;
      this.ingestion = null;
      this.db.close();
    }
    return Promise.resolve();
  }

  // Accounts

  ensureTeam(slug: string): Promise<Team> {
    return this.run(() => {
      const s = this.s;
      s.insertTeam.run(slug);
      return s.teamBySlug.get(slug) as Team;
    });
  }

  listTeams(): Promise<Array<Team & { users: number }>> {
    return this.run(() => this.s.listTeams.all() as Array<Team & { users: number }>);
  }

  addUser(name: string, teamId: number, passwordHash: string, now: number): Promise<User> {
    return this.run(() => {
      const s = this.s;
      try {
        s.insertUser.run(name, teamId, passwordHash, now);
      } catch (error) {
        if (isUnique(error)) throw new HubStorageError('exists', `a user named ${name} exists already`, { cause: error });
        throw error;
      }
      return toUser(s.userByName.get(name) as UserRow);
    });
  }

  findUser(name: string): Promise<User | null> {
    return this.run(() => {
      const row = this.s.userByName.get(name) as UserRow | undefined;
      return row ? toUser(row) : null;
    });
  }

  findUserById(id: number): Promise<User | null> {
    return this.run(() => {
      const row = this.s.userById.get(id) as UserRow | undefined;
      return row ? toUser(row) : null;
    });
  }

  listUsers(): Promise<User[]> {
    return this.run(() => (this.s.listUsers.all() as UserRow[]).map(toUser));
  }

  removeUser(name: string): Promise<boolean> {
    return this.run(() => {
      const s = this.s;
      return this.db.transaction(() => {
        const row = s.userByName.get(name) as UserRow | undefined;
        if (!row) return false;
        s.revokeUserTokens.run(Date.now(), row.id);
        s.deleteUser.run(row.id);
        return true;
      }).immediate();
    });
  }

  // Tokens

  putToken(token: StoredToken): Promise<void> {
    return this.run(() => {
      try {
        this.s.insertToken.run(token.hash, token.kind, token.userId, token.family, token.expiresAt, token.usedAt, token.revokedAt);
      } catch (error) {
        if (isUnique(error)) throw new HubStorageError('exists', 'a token with this hash exists already', { cause: error });
        throw error;
      }
    });
  }

  findToken(hash: string): Promise<StoredToken | null> {
    return this.run(() => {
      const row = this.s.tokenByHash.get(hash) as TokenRow | undefined;
      return row ? toToken(row) : null;
    });
  }

  useToken(hash: string, now: number): Promise<boolean> {
    return this.run(() => this.s.useToken.run(now, hash, now).changes === 1);
  }

  revokeToken(hash: string, now: number): Promise<void> {
    return this.run(() => {
      this.s.revokeToken.run(now, hash);
    });
  }

  revokeFamily(family: string, now: number): Promise<void> {
    return this.run(() => {
      this.s.revokeFamily.run(now, family);
    });
  }

  pruneTokens(now: number): Promise<number> {
    return this.run(() => this.s.pruneTokens.run(now).changes);
  }

  // Events and the board

  ingest(teamId: number, envelopes: IngestEnvelope[], now: number, jsons?: string[]): Promise<IngestResult[]> {
    if (jsons && jsons.length !== envelopes.length) throw new Error('ingest: jsons must match envelopes one for one');
    let ingester: SqliteIngester;
    try {
      ingester = this.ingester;
    } catch (error) {
      return Promise.reject(error);
    }
    return ingester.ingest(teamId, envelopes, now, jsons);
  }

  subscribe(listener: (teamId: number, events: StoredEvent[]) => void): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  projects(teamId: number): Promise<BoardProject[]> {
    return this.run(() => {
      const s = this.s;
      return this.db.transaction(() => {
        const features = new Map<string, FeatureState[]>();
        for (const row of s.teamFeatures.all(teamId) as FeatureRow[]) push(features, row.project_uuid, featureState(row));
        const wps = new Map<string, WpState[]>();
        for (const row of s.teamWps.all(teamId) as WpRow[]) push(wps, row.project_uuid, wpState(row));
        const projects = (s.teamProjects.all(teamId) as ProjectRow[]).map((row) =>
          toBoardProject(projectState(row), features.get(row.project_uuid) ?? [], wps.get(row.project_uuid) ?? []),
        );
        return sortProjects(projects);
      }).deferred();
    });
  }

  events(teamId: number, projectUuid: string, options: { limit: number; before?: number }): Promise<StoredEvent[]> {
    return this.run(() => {
      const limit = Number.isFinite(options.limit) ? Math.max(0, Math.floor(options.limit)) : 0;
      if (limit === 0) return [];
      const before = options.before ?? Number.MAX_SAFE_INTEGER;
      const rows = this.s.projectEvents.all(teamId, projectKey(projectUuid), before, limit) as EventRow[];
      return rows.map((row) => ({ seq: row.seq, envelope: JSON.parse(row.envelope) as IngestEnvelope, receivedAt: row.received_at }));
    });
  }
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}


function prepare(db: Database.Database) {
  return {
    insertTeam: db.prepare('INSERT INTO teams (slug) VALUES (?) ON CONFLICT (slug) DO NOTHING'),
    teamBySlug: db.prepare('SELECT id, slug FROM teams WHERE slug = ?'),
    listTeams: db.prepare(
      'SELECT t.id, t.slug, (SELECT COUNT(*) FROM users u WHERE u.team_id = t.id) AS users FROM teams t ORDER BY t.slug',
    ),
    insertUser: db.prepare('INSERT INTO users (name, team_id, password_hash, created_at) VALUES (?, ?, ?, ?)'),
    userByName: db.prepare(
      'SELECT u.id, u.name, u.team_id, t.slug AS team_slug, u.password_hash, u.created_at FROM users u JOIN teams t ON t.id = u.team_id WHERE u.name = ?',
    ),
    userById: db.prepare(
      'SELECT u.id, u.name, u.team_id, t.slug AS team_slug, u.password_hash, u.created_at FROM users u JOIN teams t ON t.id = u.team_id WHERE u.id = ?',
    ),
    listUsers: db.prepare(
      'SELECT u.id, u.name, u.team_id, t.slug AS team_slug, u.password_hash, u.created_at FROM users u JOIN teams t ON t.id = u.team_id ORDER BY u.name',
    ),
    deleteUser: db.prepare('DELETE FROM users WHERE id = ?'),
    revokeUserTokens: db.prepare('UPDATE tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL'),

    insertToken: db.prepare(
      'INSERT INTO tokens (hash, kind, user_id, family, expires_at, used_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    tokenByHash: db.prepare('SELECT hash, kind, user_id, family, expires_at, used_at, revoked_at FROM tokens WHERE hash = ?'),
    useToken: db.prepare(
      'UPDATE tokens SET used_at = ? WHERE hash = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?',
    ),
    revokeToken: db.prepare('UPDATE tokens SET revoked_at = ? WHERE hash = ? AND revoked_at IS NULL'),
    revokeFamily: db.prepare('UPDATE tokens SET revoked_at = ? WHERE family = ? AND revoked_at IS NULL'),
    pruneTokens: db.prepare('DELETE FROM tokens WHERE expires_at < ?'),

    projectEvents: db.prepare(
      'SELECT seq, envelope, received_at FROM events WHERE team_id = ? AND project_uuid = ? AND seq < ? ORDER BY seq DESC LIMIT ?',
    ),

    teamProjects: db.prepare('SELECT * FROM projects WHERE team_id = ?'),
    teamFeatures: db.prepare('SELECT * FROM features WHERE team_id = ?'),
    teamWps: db.prepare('SELECT * FROM wps WHERE team_id = ?'),
  };
}

import { createHash, randomBytes } from 'node:crypto';
import { redactUrl } from '../../../lib/redact-url.js';
import postgres from 'postgres';
import type { IngestEnvelope } from '../../../contract/index.js';
import {
  applyEvent,
  eventTarget,
  normalizeTimestamp,
  projectKey,
  sortProjects,
  toBoardProject,
  type BoardSlice,
  type EventTarget,
  type FeatureState,
  type ProjectState,
  type WpState,
} from '../../materialize/index.js';
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
import { EVENTS_CHANNEL, MIGRATIONS, MIGRATION_LOCK_KEY, PROJECT_LOCK_CLASS, SCHEMA_VERSION } from './schema.js';

// The hub's storage on PostgreSQL, for teams that outgrow one machine: several hub processes
// share one database. The tables and the board rules are those of the SQLite storage; what
// differs is how processes coexist:
// - migrations run under a transaction-scoped advisory lock, so processes starting at once
//   apply each one once;
// - ingest locks the (team, project)s it touches (advisory locks, taken in one global order so
//   two ingests never deadlock) and then their board rows (SELECT … FOR UPDATE): rows that do not
//   exist yet cannot be row-locked, the advisory lock covers them. Two processes ingesting events
//   of one WP at once therefore apply them one transaction after the other, and the materialize
//   rules (order-independent) give the same board as a serial ingest;
// - live fan-out is LISTEN/NOTIFY: each commit of new events NOTIFYs (inside the transaction, so
//   only once committed) a small payload, the team id and the seqs; every storage instance
//   LISTENs, loads those events and calls its subscribers. An instance's own ingests reach its
//   subscribers the same way, so each event is told once per instance.

export interface PostgresStorageOptions {
  /** postgres://user:password@host:port/database (postgresql:// too). */
  url: string;
  /** Pool size (default 10). */
  max?: number;
  /** How long ingest() waits for its own notification to reach its subscribers, ms (default 5000). */
  notifyWaitMs?: number;
}

const DEFAULT_NOTIFY_WAIT_MS = 5000;
/** NOTIFY payloads must stay under 8000 bytes; a commit's seqs go in chunks below this. */
const MAX_PAYLOAD = 7000;

/** The hub's storage on a PostgreSQL database. Call `migrate()` before anything else. */
export function createPostgresStorage(options: PostgresStorageOptions): HubStorage {
  return new PostgresHubStorage(options);
}

type Sql = postgres.Sql<{ bigint: number }>;
type Tx = postgres.TransactionSql<{ bigint: number }>;

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
const codeOf = (error: unknown) => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
};

/** Errors that mean the database cannot be reached or is going away, not a bad request. */
function isUnavailable(error: unknown): boolean {
  const code = codeOf(error);
  if ((error as { name?: unknown } | null)?.name === 'PostgresError') {
    // 08 connection, 53 insufficient resources (disk full, out of memory), 57P shutting down,
    // 58 system (I/O) errors, 40 serialization or deadlock (past the retries), 55P03 a lock not
    // available, 25006 a read-only transaction (a standby): the database's trouble, not the request's.
    return code.startsWith('08') || code.startsWith('53') || code.startsWith('57P') || code.startsWith('58') ||
      code.startsWith('40') || code === '55P03' || code === '25006' || code === '3D000';
  }
  return /^(E[A-Z]+|CONNECT_TIMEOUT|CONNECTION_[A-Z_]+|SASL_SIGNATURE_MISMATCH|AUTH_TYPE_NOT_IMPLEMENTED)$/.test(code);
}

const isUnique = (error: unknown) => codeOf(error) === '23505';
/** Serialization failure or deadlock: the transaction may simply be run again. */
const isRetryable = (error: unknown) => codeOf(error) === '40001' || codeOf(error) === '40P01';

/** The URL without its password, for messages. */
const describe = (url: string): string => redactUrl(url, 'the PostgreSQL database');

const CATCH_UP_PAGE = 1000;

/** A JSON document passed as one text parameter (read back with json_to_recordset and friends). */
const json = (value: unknown) => JSON.stringify(value);

/** The payload of one notification: team, seqs as [first, last] ranges, origin, last chunk of it. */
interface Notice {
  t: number;
  s: Array<[number, number]>;
  /** The ingest it came from: "<instance>:<n>". */
  o: string;
  /** Set on the last chunk of that ingest. */
  e?: 1;
}

function isNotice(value: unknown): value is Notice {
  const v = value as Notice | null;
  return (
    v !== null &&
    typeof v === 'object' &&
    Number.isSafeInteger(v.t) &&
    Array.isArray(v.s) &&
    v.s.every((r) => Array.isArray(r) && r.length === 2 && Number.isSafeInteger(r[0]) && Number.isSafeInteger(r[1]) && r[0] <= r[1] && r[1] - r[0] < 100_000) &&
    typeof v.o === 'string'
  );
}

/** Sorted seqs as [first, last] ranges. */
function ranges(seqs: number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const seq of [...seqs].sort((a, b) => a - b)) {
    const last = out[out.length - 1];
    if (last && seq === last[1] + 1) last[1] = seq;
    else out.push([seq, seq]);
  }
  return out;
}

/** The payloads telling of one ingest's seqs, each under MAX_PAYLOAD bytes. */
export function noticePayloads(teamId: number, seqs: number[], origin: string): string[] {
  const all = ranges(seqs);
  const payloads: string[] = [];
  let chunk: Array<[number, number]> = [];
  const size = (c: Array<[number, number]>) => json({ t: teamId, s: c, o: origin, e: 1 } satisfies Notice).length;
  for (const range of all) {
    chunk.push(range);
    if (chunk.length > 1 && size(chunk) > MAX_PAYLOAD) {
      chunk.pop();
      payloads.push(json({ t: teamId, s: chunk, o: origin } satisfies Notice));
      chunk = [range];
    }
  }
  payloads.push(json({ t: teamId, s: chunk, o: origin, e: 1 } satisfies Notice));
  return payloads;
}

/** Why an envelope cannot be stored in PostgreSQL columns, or null: text there holds no NUL. */
function unstorable(envelope: IngestEnvelope): string | null {
  const nul = (value: unknown) => typeof value === 'string' && value.includes('\u0000');
  if (typeof envelope !== 'object' || envelope === null) return 'not an object';
  for (const key of ['event_id', 'event_type', 'node_id', 'timestamp'] as const) {
    if (typeof envelope[key] !== 'string') return `${key} is not a string`;
  }
  if (!Number.isSafeInteger(envelope.lamport_clock)) return 'lamport_clock is not a safe integer';
  for (const value of Object.values(envelope)) if (nul(value)) return 'a field holds a NUL character';
  const payload = envelope.payload;
  if (payload !== null && typeof payload === 'object') {
    for (const value of Object.values(payload)) if (nul(value)) return 'a payload field holds a NUL character';
  }
  return null;
}

/** The advisory lock key of one (team, project): a 32-bit hash, ordered numerically when taken. */
function projectLockKey(teamId: number, project: string): number {
  return createHash('sha256').update(`${teamId}\u0000${project}`).digest().readInt32BE(0);
}

class PostgresHubStorage implements HubStorage {
  private readonly sql: Sql;
  private readonly where: string;
  private readonly notifyWaitMs: number;
  private closed = false;
  private migrated = false;
  private listening: Promise<boolean> | null = null;
  private unlisten: (() => Promise<void>) | null = null;
  private readonly listeners = new Set<(teamId: number, events: StoredEvent[]) => void>();
  /** Notifications are handled one after the other, in the order they came. */
  private delivery: Promise<void> = Promise.resolve();
  /** The highest seq told to subscribers, and whether the LISTEN was ever in place (a later one is a reconnect). */
  private highestTold = 0;
  private listenedOnce = false;
  /** This instance's id in notification origins. */
  private readonly instance = randomBytes(8).toString('hex');
  private ingests = 0;
  /** Own ingests waiting for their notification: origin → its events, and who to wake. */
  private readonly waiting = new Map<string, { events: Map<number, StoredEvent>; done: () => void }>();

  constructor(options: PostgresStorageOptions) {
    this.where = describe(options.url);
    this.notifyWaitMs = options.notifyWaitMs ?? DEFAULT_NOTIFY_WAIT_MS;
    this.sql = postgres(options.url, {
      max: options.max ?? 10,
      onnotice: () => undefined,
      connection: { application_name: 'spec-kitty-hub' },
      // BIGINT columns (ids, epoch ms, seqs, clocks) as numbers: they stay below 2^53.
      types: {
        bigint: { to: 20, from: [20], serialize: (x: number) => String(x), parse: (x: string) => Number(x) },
      },
    }) as unknown as Sql;
  }

  /** Runs `fn`, reporting an unreachable database as 'unavailable'. */
  private async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) throw new HubStorageError('unavailable', 'the hub database is closed');
    try {
      return await fn();
    } catch (error) {
      if (error instanceof HubStorageError) throw error;
      if (isUnavailable(error)) {
        throw new HubStorageError('unavailable', `cannot use the hub database ${this.where}: ${message(error)}`, { cause: error });
      }
      throw error;
    }
  }

  /** Like `run`, after checking the schema is there (once). */
  private async ready<T>(fn: () => Promise<T>): Promise<T> {
    return this.run(async () => {
      if (!this.migrated) {
        const version = await this.schemaVersion(this.sql);
        this.checkNewer(version);
        if (version < SCHEMA_VERSION) {
          throw new HubStorageError('unavailable', `the hub database ${this.where} is not migrated: call migrate() first`);
        }
        this.migrated = true;
      }
      return fn();
    });
  }

  private async schemaVersion(sql: Sql | Tx): Promise<number> {
    const [{ exists }] = await sql<Array<{ exists: boolean }>>`SELECT to_regclass('schema_migrations') IS NOT NULL AS exists`;
    if (!exists) return 0;
    const [{ version }] = await sql<Array<{ version: number | null }>>`SELECT max(version) AS version FROM schema_migrations`;
    return version ?? 0;
  }

  private checkNewer(version: number): void {
    if (version > SCHEMA_VERSION) {
      throw new HubStorageError(
        'unavailable',
        `the hub database ${this.where} has schema version ${version}, newer than this hub knows (${SCHEMA_VERSION}): ` +
          'it was used by a newer spec-kitty; upgrade spec-kitty to serve it',
      );
    }
  }

  async migrate(): Promise<void> {
    await this.run(async () => {
      // The lock first: of several processes starting at once, one migrates and the others
      // then find nothing left to do.
      await this.sql.begin(async (tx) => {
        await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY.toString()}::bigint)`;
        await tx`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`;
        const version = await this.schemaVersion(tx);
        this.checkNewer(version);
        for (let v = version; v < SCHEMA_VERSION; v++) {
          await tx.unsafe(MIGRATIONS[v]);
          await tx`INSERT INTO schema_migrations (version, applied_at) VALUES (${v + 1}, ${Date.now()})`;
        }
      });
      this.migrated = true;
    });
    // Listening from the start: a notification is only heard by a session LISTENing already.
    if (!(await this.listen())) {
      throw new HubStorageError('unavailable', `cannot LISTEN on the hub database ${this.where}`);
    }
  }

  /** Starts listening (once); true once the LISTEN is in place. */
  private listen(): Promise<boolean> {
    if (this.listening === null) {
      this.listening = this.sql
        .listen(EVENTS_CHANNEL, (payload) => this.onNotify(payload), () => this.onListen())
        .then((meta) => {
          this.unlisten = meta.unlisten;
          return true;
        })
        .catch(() => {
          this.listening = null; // try again next time
          return false;
        });
    }
    return this.listening;
  }

  /**
   * Called each time the LISTEN is in place. After a reconnect, notifications sent meanwhile were
   * missed: what was stored since the last event told is told now (best effort: a transaction that
   * took a lower seq but committed late, inside the gap, is not seen).
   */
  private onListen(): void {
    if (!this.listenedOnce) {
      this.listenedOnce = true;
      // Where catching up would start: what is stored now was before this instance listened.
      this.delivery = this.delivery.then(async () => {
        const [row] = await this.sql<Array<{ seq: number | null }>>`SELECT max(seq) AS seq FROM events`;
        this.highestTold = Math.max(this.highestTold, Number(row?.seq ?? 0));
      }).catch(() => undefined);
      return;
    }
    this.delivery = this.delivery.then(() => this.catchUp()).catch(() => undefined);
  }

  /** Tells what was stored after the last event told, page by page, however long the gap. */
  private async catchUp(): Promise<void> {
    for (;;) {
      if (this.closed || this.listeners.size === 0) return;
      const rows = await this.sql<Array<EventRow & { team_id: number }>>`
        SELECT team_id, seq, envelope, received_at FROM events WHERE seq > ${this.highestTold} ORDER BY seq LIMIT ${CATCH_UP_PAGE}`;
      const byTeam = new Map<number, StoredEvent[]>();
      for (const row of rows) {
        const list = byTeam.get(row.team_id) ?? [];
        list.push({ seq: row.seq, envelope: JSON.parse(row.envelope) as IngestEnvelope, receivedAt: row.received_at });
        byTeam.set(row.team_id, list);
      }
      for (const [teamId, events] of byTeam) this.tell(teamId, events);
      if (rows.length < CATCH_UP_PAGE) return;
    }
  }

  /** Tells every subscriber; one subscriber's failure is not the others' nor the ingest's. */
  private tell(teamId: number, events: StoredEvent[]): void {
    for (const event of events) this.highestTold = Math.max(this.highestTold, Number(event.seq));
    for (const listener of [...this.listeners]) {
      try {
        listener(teamId, [...events]);
      } catch { /* see above */ }
    }
  }

  private onNotify(payload: string): void {
    let notice: unknown;
    try {
      notice = JSON.parse(payload);
    } catch {
      return;
    }
    if (!isNotice(notice)) return;
    const n = notice;
    this.delivery = this.delivery.then(() => this.deliver(n)).catch(() => undefined);
  }

  /** Loads the events a notification names and tells the subscribers, once per notification. */
  private async deliver(notice: Notice): Promise<void> {
    const own = this.waiting.get(notice.o);
    try {
      if (this.closed || this.listeners.size === 0) return;
      const seqs: number[] = [];
      for (const [first, last] of notice.s) for (let seq = first; seq <= last; seq++) seqs.push(seq);
      let events: StoredEvent[];
      if (own && seqs.every((seq) => own.events.has(seq))) {
        events = seqs.map((seq) => own.events.get(seq) as StoredEvent);
      } else {
        // = ANY of an array, not IN (subquery): planned as primary-key lookups whatever the
        // statistics say. An IN semi-join planned while the team had few rows scanned all of
        // its rows once per seq, seconds for a batch, past the ingest's wait for its notice.
        const rows = await this.sql<EventRow[]>`
          SELECT seq, envelope, received_at FROM events
          WHERE team_id = ${notice.t} AND seq = ANY (ARRAY(SELECT json_array_elements_text(${json(seqs)}::text::json)::bigint))
          ORDER BY seq`;
        events = rows.map((row) => ({ seq: row.seq, envelope: JSON.parse(row.envelope) as IngestEnvelope, receivedAt: row.received_at }));
      }
      if (events.length === 0 || this.closed) return;
      this.tell(notice.t, events);
    } finally {
      if (notice.e && own) own.done();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const waiter of this.waiting.values()) waiter.done();
    this.waiting.clear();
    const unlisten = this.unlisten;
    this.unlisten = null;
    if (unlisten) await unlisten().catch(() => undefined);
    await this.sql.end({ timeout: 5 }).catch(() => undefined);
  }

  // Accounts

  ensureTeam(slug: string): Promise<Team> {
    return this.ready(async () => {
      await this.sql`INSERT INTO teams (slug) VALUES (${slug}) ON CONFLICT (slug) DO NOTHING`;
      const [team] = await this.sql<Team[]>`SELECT id, slug FROM teams WHERE slug = ${slug}`;
      return { id: team.id, slug: team.slug };
    });
  }

  listTeams(): Promise<Array<Team & { users: number }>> {
    return this.ready(async () => {
      const rows = await this.sql<Array<Team & { users: number }>>`
        SELECT t.id, t.slug, (SELECT count(*) FROM users u WHERE u.team_id = t.id) AS users
        FROM teams t ORDER BY t.slug COLLATE "C"`;
      return rows.map((r) => ({ id: r.id, slug: r.slug, users: r.users }));
    });
  }

  addUser(name: string, teamId: number, passwordHash: string, now: number): Promise<User> {
    return this.ready(async () => {
      try {
        await this.sql`INSERT INTO users (name, team_id, password_hash, created_at) VALUES (${name}, ${teamId}, ${passwordHash}, ${now})`;
      } catch (error) {
        if (isUnique(error)) throw new HubStorageError('exists', `a user named ${name} exists already`, { cause: error });
        throw error;
      }
      const user = await this.userWhere(this.sql`u.name = ${name}`);
      return user as User;
    });
  }

  private async userWhere(condition: postgres.PendingQuery<postgres.Row[]>): Promise<User | null> {
    const rows = await this.sql<UserRow[]>`
      SELECT u.id, u.name, u.team_id, t.slug AS team_slug, u.password_hash, u.created_at
      FROM users u JOIN teams t ON t.id = u.team_id WHERE ${condition}`;
    return rows.length > 0 ? toUser(rows[0]) : null;
  }

  findUser(name: string): Promise<User | null> {
    return this.ready(() => this.userWhere(this.sql`u.name = ${name}`));
  }

  findUserById(id: number): Promise<User | null> {
    return this.ready(async () => (Number.isSafeInteger(id) ? this.userWhere(this.sql`u.id = ${id}`) : null));
  }

  listUsers(): Promise<User[]> {
    return this.ready(async () => {
      const rows = await this.sql<UserRow[]>`
        SELECT u.id, u.name, u.team_id, t.slug AS team_slug, u.password_hash, u.created_at
        FROM users u JOIN teams t ON t.id = u.team_id ORDER BY u.name COLLATE "C"`;
      return rows.map(toUser);
    });
  }

  removeUser(name: string): Promise<boolean> {
    return this.ready(() =>
      this.sql.begin(async (tx) => {
        const rows = await tx<Array<{ id: number }>>`SELECT id FROM users WHERE name = ${name} FOR UPDATE`;
        if (rows.length === 0) return false;
        await tx`UPDATE tokens SET revoked_at = ${Date.now()} WHERE user_id = ${rows[0].id} AND revoked_at IS NULL`;
        await tx`DELETE FROM users WHERE id = ${rows[0].id}`;
        return true;
      }),
    );
  }

  // Tokens

  putToken(token: StoredToken): Promise<void> {
    return this.ready(async () => {
      try {
        await this.sql`
          INSERT INTO tokens (hash, kind, user_id, family, expires_at, used_at, revoked_at)
          VALUES (${token.hash}, ${token.kind}, ${token.userId}, ${token.family}, ${token.expiresAt}, ${token.usedAt}, ${token.revokedAt})`;
      } catch (error) {
        if (isUnique(error)) throw new HubStorageError('exists', 'a token with this hash exists already', { cause: error });
        throw error;
      }
    });
  }

  findToken(hash: string): Promise<StoredToken | null> {
    return this.ready(async () => {
      const rows = await this.sql<TokenRow[]>`
        SELECT hash, kind, user_id, family, expires_at, used_at, revoked_at FROM tokens WHERE hash = ${hash}`;
      return rows.length > 0 ? toToken(rows[0]) : null;
    });
  }

  useToken(hash: string, now: number): Promise<boolean> {
    // One statement: of callers racing on one token, exactly one sees its row come back.
    return this.ready(async () => {
      const rows = await this.sql`
        UPDATE tokens SET used_at = ${now}
        WHERE hash = ${hash} AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ${now}
        RETURNING hash`;
      return rows.length === 1;
    });
  }

  revokeToken(hash: string, now: number): Promise<void> {
    return this.ready(async () => {
      await this.sql`UPDATE tokens SET revoked_at = ${now} WHERE hash = ${hash} AND revoked_at IS NULL`;
    });
  }

  revokeFamily(family: string, now: number): Promise<void> {
    return this.ready(async () => {
      await this.sql`UPDATE tokens SET revoked_at = ${now} WHERE family = ${family} AND revoked_at IS NULL`;
    });
  }

  pruneTokens(now: number): Promise<number> {
    return this.ready(async () => (await this.sql`DELETE FROM tokens WHERE expires_at < ${now}`).count);
  }

  // Events and the board

  ingest(teamId: number, envelopes: IngestEnvelope[], now: number, jsons?: string[]): Promise<IngestResult[]> {
    if (jsons && jsons.length !== envelopes.length) throw new Error('ingest: jsons must match envelopes one for one');
    return this.ready(async () => {
      if (envelopes.length === 0) return [];
      const listening = await this.listen();
      const origin = `${this.instance}:${++this.ingests}`;
      // Registered before the commit: the notification may come before begin() returns.
      let wake: () => void = () => undefined;
      const heard = new Promise<void>((resolve) => {
        wake = resolve;
      });
      const waiter = { events: new Map<number, StoredEvent>(), done: () => wake() };
      this.waiting.set(origin, waiter);
      try {
        let outcome: { results: IngestResult[]; stored: StoredEvent[] } | undefined;
        for (let attempt = 1; ; attempt++) {
          try {
            outcome = await this.sql.begin((tx) => this.ingestIn(tx, teamId, envelopes, jsons, now, origin));
            break;
          } catch (error) {
            if (!isRetryable(error) || attempt >= 3) throw error;
          }
        }
        // Told through the notification only, once committed; waiting for it here means that
        // when ingest() returns, this instance's subscribers have heard, as with SQLite.
        if (outcome.stored.length > 0 && listening && this.listeners.size > 0) {
          for (const event of outcome.stored) waiter.events.set(event.seq, event);
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([heard, new Promise<void>((resolve) => (timer = setTimeout(resolve, this.notifyWaitMs)))]);
          clearTimeout(timer);
        }
        return outcome.results;
      } finally {
        this.waiting.delete(origin);
      }
    });
  }

  private async ingestIn(
    tx: Tx,
    teamId: number,
    envelopes: IngestEnvelope[],
    jsons: string[] | undefined,
    now: number,
    origin: string,
  ): Promise<{ results: IngestResult[]; stored: StoredEvent[] }> {
    interface Item {
      envelope: IngestEnvelope;
      /** As received, when the hub has it. */
      json: string | undefined;
      eventId: string;
      target: EventTarget | null;
      /** The first item of the batch with this event id, if this one is a copy. */
      copyOf: Item | null;
      result: IngestResult | null;
      seq?: number;
    }
    const items: Item[] = [];
    const firstById = new Map<string, Item>();
    for (const [index, envelope] of envelopes.entries()) {
      const eventId = typeof envelope?.event_id === 'string' ? envelope.event_id : String(envelope?.event_id ?? '');
      const item: Item = { envelope, json: jsons?.[index], eventId, target: null, copyOf: null, result: null };
      items.push(item);
      try {
        const why = unstorable(envelope);
        if (why !== null) throw new Error(why);
        item.target = eventTarget(envelope);
      } catch (error) {
        item.result = { event_id: eventId, status: 'rejected', error_message: `not stored: ${message(error)}` };
        continue;
      }
      const first = firstById.get(eventId);
      if (first) item.copyOf = first;
      else firstById.set(eventId, item);
    }
    const candidates = items.filter((i) => i.result === null && i.copyOf === null);

    // Lock the projects touched, in one order for everyone, then read their board rows.
    const projectKeys = [...new Set(candidates.flatMap((i) => (i.target ? [i.target.project_uuid] : [])))];
    const lockKeys = [...new Set(projectKeys.map((p) => projectLockKey(teamId, p)))].sort((a, b) => a - b);
    for (const key of lockKeys) await tx`SELECT pg_advisory_xact_lock(${PROJECT_LOCK_CLASS}::int, ${key}::int)`;
    const board = new BoardCache(teamId);
    await board.lockAndLoad(tx, candidates.flatMap((i) => (i.target ? [i.target] : [])));

    // Store the events: once per (team, event_id), in batch order.
    if (candidates.length > 0) {
      const rows = candidates.map((i) => ({
        event_id: i.eventId,
        project_uuid: i.target?.project_uuid ?? (i.envelope.project_uuid ? projectKey(i.envelope.project_uuid) : null),
        event_type: i.envelope.event_type,
        lamport_clock: i.envelope.lamport_clock,
        node_id: i.envelope.node_id,
        timestamp: normalizeTimestamp(i.envelope.timestamp),
        envelope: i.json ?? JSON.stringify(i.envelope),
      }));
      const inserted = await tx<Array<{ seq: number; event_id: string }>>`
        INSERT INTO events (team_id, event_id, project_uuid, event_type, lamport_clock, node_id, timestamp, envelope, received_at)
        SELECT ${teamId}::bigint, x.event_id, x.project_uuid, x.event_type, x.lamport_clock, x.node_id, x.timestamp, x.envelope, ${now}::bigint
        FROM ROWS FROM (json_to_recordset(${json(rows)}::text::json) AS (
          event_id TEXT, project_uuid TEXT, event_type TEXT, lamport_clock BIGINT, node_id TEXT, timestamp TEXT, envelope TEXT
        )) WITH ORDINALITY AS x (event_id, project_uuid, event_type, lamport_clock, node_id, timestamp, envelope, ord)
        ORDER BY x.ord
        ON CONFLICT (team_id, event_id) DO NOTHING
        RETURNING seq, event_id`;
      const seqById = new Map(inserted.map((r) => [r.event_id, r.seq]));
      for (const item of candidates) item.seq = seqById.get(item.eventId);
    }

    // Apply the new ones to the board, in batch order.
    const undo: number[] = [];
    const stored: StoredEvent[] = [];
    for (const item of items) {
      if (item.result !== null) continue;
      if (item.copyOf !== null) {
        const first = item.copyOf.result;
        item.result =
          first?.status === 'rejected' ? { ...first, event_id: item.eventId } : { event_id: item.eventId, status: 'duplicate' };
        continue;
      }
      if (item.seq === undefined) {
        item.result = { event_id: item.eventId, status: 'duplicate' };
        continue;
      }
      try {
        if (item.target) board.store(item.target, applyEvent(board.load(item.target), item.envelope));
      } catch (error) {
        undo.push(item.seq);
        item.result = { event_id: item.eventId, status: 'rejected', error_message: `not stored: ${message(error)}` };
        continue;
      }
      stored.push({ seq: item.seq, envelope: item.envelope, receivedAt: now });
      item.result = { event_id: item.eventId, status: 'success' };
    }
    if (undo.length > 0) {
      await tx`DELETE FROM events WHERE seq = ANY (ARRAY(SELECT json_array_elements_text(${json(undo)}::text::json)::bigint))`;
    }
    await board.flush(tx);

    // Tell every instance, at commit (NOTIFY is transactional): only what was committed is told.
    if (stored.length > 0) {
      for (const payload of noticePayloads(teamId, stored.map((e) => e.seq), origin)) {
        await tx`SELECT pg_notify(${EVENTS_CHANNEL}, ${payload})`;
      }
    }
    return { results: items.map((i) => i.result as IngestResult), stored };
  }

  subscribe(listener: (teamId: number, events: StoredEvent[]) => void): () => void {
    this.listeners.add(listener);
    if (!this.closed) void this.listen();
    return () => {
      this.listeners.delete(listener);
    };
  }

  projects(teamId: number): Promise<BoardProject[]> {
    return this.ready(() =>
      this.sql.begin('isolation level repeatable read read only', async (tx) => {
        const features = new Map<string, FeatureState[]>();
        for (const row of await tx<FeatureRow[]>`SELECT * FROM features WHERE team_id = ${teamId}`) push(features, row.project_uuid, featureState(row));
        const wps = new Map<string, WpState[]>();
        for (const row of await tx<WpRow[]>`SELECT * FROM wps WHERE team_id = ${teamId}`) push(wps, row.project_uuid, wpState(row));
        const projects = (await tx<ProjectRow[]>`SELECT * FROM projects WHERE team_id = ${teamId}`).map((row) =>
          toBoardProject(projectState(row), features.get(row.project_uuid) ?? [], wps.get(row.project_uuid) ?? []),
        );
        return sortProjects(projects);
      }),
    );
  }

  events(teamId: number, projectUuid: string, options: { limit: number; before?: number }): Promise<StoredEvent[]> {
    return this.ready(async () => {
      const limit = Number.isFinite(options.limit) ? Math.max(0, Math.floor(options.limit)) : 0;
      if (limit === 0) return [];
      const before = options.before ?? Number.MAX_SAFE_INTEGER;
      const rows = await this.sql<EventRow[]>`
        SELECT seq, envelope, received_at FROM events
        WHERE team_id = ${teamId} AND project_uuid = ${projectKey(projectUuid)} AND seq < ${before}
        ORDER BY seq DESC LIMIT ${limit}`;
      return rows.map((row) => ({ seq: row.seq, envelope: JSON.parse(row.envelope) as IngestEnvelope, receivedAt: row.received_at }));
    });
  }
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

const featureKey = (project: string, feature: string) => `${project}\u0000${feature}`;
const wpKey = (project: string, feature: string, wp: string) => `${project}\u0000${feature}\u0000${wp}`;

/**
 * The board rows one ingest touches: locked and read together at the start, written together at
 * the end, so a batch of 1000 events costs a few statements, not thousands.
 */
class BoardCache {
  private readonly projects = new Map<string, { state: ProjectState | null; dirty: boolean }>();
  private readonly features = new Map<string, { project: string; state: FeatureState | null; dirty: boolean }>();
  private readonly wps = new Map<string, { project: string; state: WpState | null; dirty: boolean }>();

  constructor(private readonly teamId: number) {}

  /** SELECT … FOR UPDATE of every row the targets name (those that exist), in key order. */
  async lockAndLoad(tx: Tx, targets: EventTarget[]): Promise<void> {
    if (targets.length === 0) return;
    const projects = [...new Set(targets.map((t) => t.project_uuid))];
    const features = new Map<string, { p: string; f: string }>();
    const wps = new Map<string, { p: string; f: string; w: string }>();
    for (const t of targets) {
      this.projects.set(t.project_uuid, { state: null, dirty: false });
      if (t.feature_slug === null) continue;
      features.set(featureKey(t.project_uuid, t.feature_slug), { p: t.project_uuid, f: t.feature_slug });
      this.features.set(featureKey(t.project_uuid, t.feature_slug), { project: t.project_uuid, state: null, dirty: false });
      if (t.wp_id === null) continue;
      wps.set(wpKey(t.project_uuid, t.feature_slug, t.wp_id), { p: t.project_uuid, f: t.feature_slug, w: t.wp_id });
      this.wps.set(wpKey(t.project_uuid, t.feature_slug, t.wp_id), { project: t.project_uuid, state: null, dirty: false });
    }
    const teamId = this.teamId;
    for (const row of await tx<ProjectRow[]>`
      SELECT * FROM projects
      WHERE team_id = ${teamId} AND project_uuid IN (SELECT json_array_elements_text(${json(projects)}::text::json))
      ORDER BY project_uuid FOR UPDATE`) {
      this.projects.set(row.project_uuid, { state: projectState(row), dirty: false });
    }
    if (features.size > 0) {
      for (const row of await tx<FeatureRow[]>`
        SELECT f.* FROM features f
        JOIN json_to_recordset(${json([...features.values()])}::text::json) AS k (p TEXT, f TEXT)
          ON f.project_uuid = k.p AND f.feature_slug = k.f
        WHERE f.team_id = ${teamId}
        ORDER BY f.project_uuid, f.feature_slug FOR UPDATE OF f`) {
        this.features.set(featureKey(row.project_uuid, row.feature_slug), { project: row.project_uuid, state: featureState(row), dirty: false });
      }
    }
    if (wps.size > 0) {
      for (const row of await tx<WpRow[]>`
        SELECT w.* FROM wps w
        JOIN json_to_recordset(${json([...wps.values()])}::text::json) AS k (p TEXT, f TEXT, w TEXT)
          ON w.project_uuid = k.p AND w.feature_slug = k.f AND w.wp_id = k.w
        WHERE w.team_id = ${teamId}
        ORDER BY w.project_uuid, w.feature_slug, w.wp_id FOR UPDATE OF w`) {
        this.wps.set(wpKey(row.project_uuid, row.feature_slug, row.wp_id), { project: row.project_uuid, state: wpState(row), dirty: false });
      }
    }
  }

  load(target: EventTarget): BoardSlice {
    return { project: this.project(target).state, feature: this.feature(target)?.state ?? null, wp: this.wp(target)?.state ?? null };
  }

  store(target: EventTarget, slice: BoardSlice): void {
    set(this.project(target), slice.project);
    const feature = this.feature(target);
    if (feature) set(feature, slice.feature);
    const wp = this.wp(target);
    if (wp) set(wp, slice.wp);
  }

  async flush(tx: Tx): Promise<void> {
    const teamId = this.teamId;
    const projects = [...this.projects.values()].flatMap((e) => (e.dirty && e.state ? [e.state] : [])).map((p) => ({
      project_uuid: p.project_uuid,
      project_slug: p.project_slug,
      slug_lamport: p.slug_stamp?.lamport ?? null,
      slug_node: p.slug_stamp?.node ?? null,
      slug_event: p.slug_stamp?.event ?? null,
      event_count: p.event_count,
      last_event_at: p.last_event_at,
      node_ids: JSON.stringify(p.node_ids),
    }));
    if (projects.length > 0) {
      await tx`
        INSERT INTO projects (team_id, project_uuid, project_slug, slug_lamport, slug_node, slug_event, event_count, last_event_at, node_ids)
        SELECT ${teamId}::bigint, x.* FROM json_to_recordset(${json(projects)}::text::json) AS x (
          project_uuid TEXT, project_slug TEXT, slug_lamport BIGINT, slug_node TEXT, slug_event TEXT,
          event_count BIGINT, last_event_at TEXT, node_ids TEXT)
        ON CONFLICT (team_id, project_uuid) DO UPDATE SET project_slug = excluded.project_slug,
          slug_lamport = excluded.slug_lamport, slug_node = excluded.slug_node, slug_event = excluded.slug_event,
          event_count = excluded.event_count, last_event_at = excluded.last_event_at, node_ids = excluded.node_ids`;
    }
    const features = [...this.features.values()].flatMap((e) => (e.dirty && e.state ? [{ project: e.project, f: e.state }] : [])).map(({ project, f }) => ({
      project_uuid: project,
      feature_slug: f.feature_slug,
      name: f.name,
      name_lamport: f.name_stamp?.lamport ?? null,
      name_node: f.name_stamp?.node ?? null,
      name_event: f.name_stamp?.event ?? null,
      completed_at: f.completed_at,
      completed_lamport: f.completed_stamp?.lamport ?? null,
      completed_node: f.completed_stamp?.node ?? null,
      completed_event: f.completed_stamp?.event ?? null,
    }));
    if (features.length > 0) {
      await tx`
        INSERT INTO features (team_id, project_uuid, feature_slug, name, name_lamport, name_node, name_event,
          completed_at, completed_lamport, completed_node, completed_event)
        SELECT ${teamId}::bigint, x.* FROM json_to_recordset(${json(features)}::text::json) AS x (
          project_uuid TEXT, feature_slug TEXT, name TEXT, name_lamport BIGINT, name_node TEXT, name_event TEXT,
          completed_at TEXT, completed_lamport BIGINT, completed_node TEXT, completed_event TEXT)
        ON CONFLICT (team_id, project_uuid, feature_slug) DO UPDATE SET name = excluded.name,
          name_lamport = excluded.name_lamport, name_node = excluded.name_node, name_event = excluded.name_event,
          completed_at = excluded.completed_at, completed_lamport = excluded.completed_lamport,
          completed_node = excluded.completed_node, completed_event = excluded.completed_event`;
    }
    const wps = [...this.wps.values()].flatMap((e) => (e.dirty && e.state ? [{ project: e.project, w: e.state }] : [])).map(({ project, w }) => ({
      project_uuid: project,
      feature_slug: w.feature_slug,
      wp_id: w.wp_id,
      lane: w.lane,
      lane_lamport: w.lane_stamp.lamport,
      lane_node: w.lane_stamp.node,
      lane_event: w.lane_stamp.event,
      updated_at: w.updated_at,
      title: w.title,
      title_lamport: w.title_stamp?.lamport ?? null,
      title_node: w.title_stamp?.node ?? null,
      title_event: w.title_stamp?.event ?? null,
    }));
    if (wps.length > 0) {
      await tx`
        INSERT INTO wps (team_id, project_uuid, feature_slug, wp_id, lane, lane_lamport, lane_node, lane_event, updated_at,
          title, title_lamport, title_node, title_event)
        SELECT ${teamId}::bigint, x.* FROM json_to_recordset(${json(wps)}::text::json) AS x (
          project_uuid TEXT, feature_slug TEXT, wp_id TEXT, lane TEXT, lane_lamport BIGINT, lane_node TEXT, lane_event TEXT,
          updated_at TEXT, title TEXT, title_lamport BIGINT, title_node TEXT, title_event TEXT)
        ON CONFLICT (team_id, project_uuid, feature_slug, wp_id) DO UPDATE SET lane = excluded.lane,
          lane_lamport = excluded.lane_lamport, lane_node = excluded.lane_node, lane_event = excluded.lane_event,
          updated_at = excluded.updated_at, title = excluded.title, title_lamport = excluded.title_lamport,
          title_node = excluded.title_node, title_event = excluded.title_event`;
    }
  }

  private project(target: EventTarget) {
    let entry = this.projects.get(target.project_uuid);
    if (!entry) {
      entry = { state: null, dirty: false };
      this.projects.set(target.project_uuid, entry);
    }
    return entry;
  }

  private feature(target: EventTarget) {
    if (target.feature_slug === null) return null;
    const key = featureKey(target.project_uuid, target.feature_slug);
    let entry = this.features.get(key);
    if (!entry) {
      entry = { project: target.project_uuid, state: null, dirty: false };
      this.features.set(key, entry);
    }
    return entry;
  }

  private wp(target: EventTarget) {
    if (target.feature_slug === null || target.wp_id === null) return null;
    const key = wpKey(target.project_uuid, target.feature_slug, target.wp_id);
    let entry = this.wps.get(key);
    if (!entry) {
      entry = { project: target.project_uuid, state: null, dirty: false };
      this.wps.set(key, entry);
    }
    return entry;
  }
}

function set<T>(entry: { state: T | null; dirty: boolean }, state: T | null): void {
  if (state !== entry.state) {
    entry.state = state;
    entry.dirty = true;
  }
}

import type Database from 'better-sqlite3';
import { sep } from 'node:path';
import { inject, injectable } from 'inversify';
import type { Envelope } from '../../contract/index.js';
import type { EmitIntent } from '../../core/emit-context.js';
import type {
  Closable, HeldFrom, PersistQueue, PreparedEvent, QueueListFilter, QueueStats, QueuedEvent, ReadQueue, RecentKey, RuntimeOptions, SyncQueue,
} from '../../core/services.js';
import type { UserDatabase } from '../../core/user-database.js';
import { TOKENS } from '../../core/tokens.js';
import { pruneSentRows } from './prune.js';
import { emptyStats, listEvents, readStats, recordSyncOutcome } from './queue-stats.js';
import { ROW_COLUMNS, toQueuedEvent, type EventRow } from './rows.js';

const INSERT_EVENT = `
  INSERT INTO events (event_id, project_uuid, project_slug, event_type, aggregate_id, lamport_clock, envelope, state, created_at, intent, origin)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (event_id) DO NOTHING
`;
// A prepared event becomes what it would have been queued as: held without a project identity.
const COMMIT = `UPDATE events SET state = CASE WHEN project_uuid IS NULL THEN 'held' ELSE 'pending' END, intent = NULL
  WHERE event_id = ? AND state = 'prepared'`;
const DISCARD = `DELETE FROM events WHERE event_id = ? AND state = 'prepared'`;

interface Waiting {
  envelope: Envelope;
  state: 'pending' | 'held';
  intent: EmitIntent | null;
  resolve(result: { inserted: boolean }): void;
  reject(error: unknown): void;
}

/**
 * One SQLite file per user, shared by every process and project. Opened on first use.
 * Enqueues made in the same tick share one transaction (group commit): one fsync for many
 * events, and each caller still resolves only after the COMMIT that holds its event.
 */
@injectable()
export class SqliteEventQueue implements PersistQueue, ReadQueue, SyncQueue, Closable {
  readonly path: string;
  private waiting: Waiting[] = [];
  private flushScheduled = false;

  /** Where held events were emitted: the project that later gets an identity there adopts them. */
  private readonly origin: string;

  constructor(
    @inject(TOKENS.UserDatabase) private readonly database: UserDatabase,
    @inject(TOKENS.Options) options: Pick<RuntimeOptions, 'cwd'>,
  ) {
    this.path = database.path;
    this.origin = options.cwd;
  }

  enqueue(envelope: Envelope, state: 'pending' | 'held', intent: EmitIntent | null = null): Promise<{ inserted: boolean }> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ envelope, state, intent, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        // setImmediate runs after the pending promise jobs, so concurrent emits join one batch.
        setImmediate(() => this.flush());
      }
    });
  }

  async commit(eventId: string): Promise<void> {
    this.withDb((db) => {
      if (this.database.statement(db, COMMIT).run(eventId).changes === 1) return;
      // Settled already (recovery met the change on disk first): that is this commit, done.
      const row = this.database.statement(db, 'SELECT state FROM events WHERE event_id = ?').get(eventId) as { state: string } | undefined;
      if (!row) throw new Error(`event ${eventId} is no longer in ${this.path}: it was discarded before its change was committed`);
    });
  }

  async discard(eventId: string): Promise<void> {
    this.withDb((db) => this.database.statement(db, DISCARD).run(eventId));
  }

  async prepared(lock?: string): Promise<PreparedEvent[]> {
    if (!this.available()) return [];
    const rows = this.withDb((db) => this.database.statement(db, `
      SELECT event_id, intent, envelope FROM events
      WHERE state = 'prepared' AND (@lock IS NULL OR coalesce(json_extract(intent, '$.lock'), json_extract(intent, '$.path')) = @lock
        OR json_extract(intent, '$.path') = @lock)
      ORDER BY seq
    `).all({ lock: lock ?? null }) as Array<{ event_id: string; intent: string; envelope: string }>);
    return rows.map((r) => ({ event_id: r.event_id, intent: JSON.parse(r.intent) as EmitIntent, envelope: JSON.parse(r.envelope) as Envelope }));
  }

  async adoptHeld(from: HeldFrom, identity: { project_uuid: string; project_slug: string }, owns: (origin: string) => boolean = () => true): Promise<number> {
    if (!this.available()) return 0;
    const { where, params } = heldWhere(from);
    return this.withDb((db) => {
      // A plain read first: most commands have nothing to adopt and need no write lock for it.
      const origins = (db.prepare(`SELECT DISTINCT origin FROM events WHERE state = 'held' AND ${where}`).all(params) as Array<{ origin: string | null }>)
        .map((r) => r.origin).filter((o) => o === null || owns(o));
      if (origins.length === 0) return 0;
      const adopt = db.prepare(`
        UPDATE events SET state = 'pending', origin = NULL, project_uuid = @uuid, project_slug = @slug,
          envelope = json_set(envelope, '$.project_uuid', @uuid, '$.project_slug', @slug)
        WHERE state = 'held' AND origin IS @origin
      `);
      return db.transaction(() => origins.reduce((n, origin) =>
        n + adopt.run({ origin, uuid: identity.project_uuid, slug: identity.project_slug }).changes, 0)).immediate();
    });
  }

  async discardHeld(from: HeldFrom | 'all'): Promise<number> {
    if (!this.available()) return 0;
    const { where, params } = from === 'all' ? { where: '1', params: {} } : heldWhere(from);
    return this.withDb((db) => db.prepare(`DELETE FROM events WHERE state = 'held' AND ${where}`).run(params).changes);
  }

  async countPending(): Promise<number> {
    return this.withDb((db) => (db.prepare(`SELECT count(*) AS n FROM events WHERE state = 'pending'`).get() as { n: number }).n);
  }

  async recent(key: RecentKey, since: number): Promise<Envelope[]> {
    if (!this.available()) return [];
    return this.withDb((db) => (db.prepare(`
      SELECT envelope FROM events
      WHERE project_uuid IS @project_uuid AND event_type = @event_type AND aggregate_id = @aggregate_id
        AND created_at >= @since AND state NOT IN ('dead', 'prepared')
      ORDER BY seq
    `).all({ project_uuid: key.project_uuid, event_type: key.event_type, aggregate_id: key.aggregate_id, since }) as Array<{ envelope: string }>).map((r) => JSON.parse(r.envelope) as Envelope));
  }

  async claim({ limit, leaseMs, now = Date.now(), retryNow = false }: { limit: number; leaseMs: number; now?: number; retryNow?: boolean }): Promise<QueuedEvent[]> {
    if (!this.available()) return [];
    return this.withDb((db) => {
      // IMMEDIATE: select and lease under one write lock, so two processes never lease the same row.
      const rows = db.transaction(() => db.prepare(`
        UPDATE events SET claimed_until = @until
        WHERE seq IN (
          SELECT seq FROM events
          WHERE state = 'pending' AND (@retryNow OR next_attempt_at <= @now) AND claimed_until <= @now
          ORDER BY seq LIMIT @limit
        )
        RETURNING ${ROW_COLUMNS}
      `).all({ until: now + leaseMs, now, limit, retryNow: retryNow ? 1 : 0 }) as EventRow[]).immediate();
      return rows.sort((a, b) => a.seq - b.seq).map(toQueuedEvent);
    });
  }

  async markSent(eventIds: readonly string[], now = Date.now()): Promise<number> {
    if (eventIds.length === 0) return 0;
    // One statement for the whole batch: a thousand single-row updates cost several times more.
    return this.withDb((db) => this.database.statement(db, `
      UPDATE events SET state = 'sent', sent_at = @now, claimed_until = 0, last_error = NULL
      WHERE event_id IN (SELECT value FROM json_each(@ids)) AND state = 'pending'
    `).run({ ids: JSON.stringify(eventIds), now }).changes);
  }

  async markRetry(eventId: string, error: string, nextAttemptAt: number): Promise<void> {
    this.withDb((db) => db.prepare(`
      UPDATE events SET attempts = attempts + 1, last_error = @error, next_attempt_at = @next, claimed_until = 0
      WHERE event_id = @eventId AND state = 'pending'
    `).run({ eventId, error, next: nextAttemptAt }));
  }

  async markDead(eventId: string, reason: string): Promise<void> {
    this.withDb((db) => db.prepare(`
      UPDATE events SET state = 'dead', attempts = attempts + 1, last_error = @reason, claimed_until = 0
      WHERE event_id = @eventId AND state = 'pending'
    `).run({ eventId, reason }));
  }

  async release(eventIds: readonly string[]): Promise<void> {
    if (eventIds.length === 0) return;
    this.withDb((db) => {
      const stmt = this.database.statement(db, `UPDATE events SET claimed_until = 0 WHERE event_id = ? AND state = 'pending'`);
      db.transaction(() => { for (const id of eventIds) stmt.run(id); }).immediate();
    });
  }

  async retryDead(eventId?: string): Promise<number> {
    if (!this.available()) return 0;
    return this.withDb((db) => db.prepare(`
      UPDATE events SET state = 'pending', attempts = 0, next_attempt_at = 0, claimed_until = 0
      WHERE state = 'dead' AND (@id IS NULL OR event_id = @id)
    `).run({ id: eventId ?? null }).changes);
  }

  async recordSync(outcome: { at: number; error: string | null }): Promise<void> {
    this.withDb((db) => recordSyncOutcome(db, outcome));
  }

  async pruneSent(retentionMs: number, now = Date.now()): Promise<number> {
    if (!this.available()) return 0;
    return this.withDb((db) => pruneSentRows(db, retentionMs, now));
  }

  async stats(): Promise<QueueStats> {
    if (!this.available()) return emptyStats(this.path);
    return this.withDb((db) => readStats(db, this.path));
  }

  async list(filter: QueueListFilter = {}): Promise<{ total: number; events: QueuedEvent[] }> {
    if (!this.available()) return { total: 0, events: [] };
    return this.withDb((db) => listEvents(db, filter));
  }

  /** Writes what is still waiting for its batch; the database itself is closed by its owner, after. */
  close(): void {
    if (this.waiting.length > 0) this.flush();
  }

  /** Readers never create the file: reporting an empty queue must not leave one behind. */
  private available(): boolean {
    return this.waiting.length > 0 || this.database.exists();
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.waiting;
    this.waiting = [];
    if (batch.length === 0) return;
    let results: boolean[];
    try {
      results = this.withDb((db) => this.write(db, batch));
    } catch (error) {
      for (const w of batch) w.reject(error);
      return;
    }
    batch.forEach((w, i) => w.resolve({ inserted: results[i] }));
  }

  private write(db: Database.Database, batch: Waiting[]): boolean[] {
    const insert = this.database.statement(db, INSERT_EVENT);
    const createdAt = Date.now();
    return this.database.durably(db, () => batch.map(({ envelope: e, state, intent }) => insert.run(
      e.event_id, e.project_uuid, e.project_slug, e.event_type, e.aggregate_id, e.lamport_clock, JSON.stringify(e),
      intent ? 'prepared' : state, createdAt, intent ? JSON.stringify(intent) : null, state === 'held' ? this.origin : null,
    ).changes === 1));
  }

  private withDb<T>(fn: (db: Database.Database) => T): T {
    return this.database.run(fn);
  }
}

/** The SQL condition for held events of a project folder (itself or below) or of one origin. */
function heldWhere(from: HeldFrom): { where: string; params: Record<string, string> } {
  if ('root' in from) {
    // A byte-exact prefix: LIKE would also match folders differing in case or in `_`/`%`.
    const below = `${from.root.replace(/[\\/]+$/, '')}${sep}`;
    return { where: '(origin = @root OR substr(origin, 1, length(@below)) = @below)', params: { root: from.root, below } };
  }
  return from.origin === null ? { where: 'origin IS NULL', params: {} } : { where: 'origin = @origin', params: { origin: from.origin } };
}

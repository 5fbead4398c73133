import type Database from 'better-sqlite3';
import type { IngestEnvelope } from '../../../contract/index.js';
import { applyEvent, eventTarget, normalizeTimestamp, projectKey } from '../../materialize/index.js';
import type { IngestResult, StoredEvent } from '../storage.js';
import { SqliteBoard } from './board.js';

interface Call {
  teamId: number;
  envelopes: IngestEnvelope[];
  now: number;
  jsons: string[] | undefined;
  resolve(results: IngestResult[]): void;
  reject(error: unknown): void;
}

/** A group stops growing past this many events, so one commit never holds the hub for long. */
const MAX_GROUP_EVENTS = 5000;

/**
 * Ingest into SQLite with group commit. better-sqlite3 is synchronous: a commit's fsync
 * (synchronous = FULL) holds the whole hub, and costs as much as the CPU work of a batch. Calls
 * made while one is being prepared (other requests whose bodies were read meanwhile) wait for
 * the next turn of the event loop and commit together, in order, in one transaction: each call
 * still gets its own results, all of its events or none, and its own notice to the listeners.
 */
export class SqliteIngester {
  private readonly board: SqliteBoard;
  private readonly insertEvent: Database.Statement;
  private readonly transaction: Database.Transaction<(group: Call[]) => Array<{ results: IngestResult[]; stored: StoredEvent[] }>>;
  private queue: Call[] = [];
  private scheduled = false;

  /**
   * @param fail  what a failed transaction is reported as (a busy database as 'unavailable')
   * @param tell  the listeners, told of a call's new events once they are committed
   */
  constructor(
    db: Database.Database,
    private readonly fail: (error: unknown) => unknown,
    private readonly tell: (teamId: number, events: StoredEvent[]) => void,
  ) {
    this.board = new SqliteBoard(db);
    this.insertEvent = db.prepare(
      `INSERT INTO events (team_id, event_id, project_uuid, event_type, lamport_clock, node_id, timestamp, envelope, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (team_id, event_id) DO NOTHING`,
    );
    this.transaction = db.transaction((group: Call[]) => {
      this.board.begin();
      const outcomes = group.map((call) => this.apply(call));
      this.board.flush();
      return outcomes;
    });
  }

  ingest(teamId: number, envelopes: IngestEnvelope[], now: number, jsons?: string[]): Promise<IngestResult[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ teamId, envelopes, now, jsons, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.commit());
      }
    });
  }

  /** Commits everything queued, now (before the database closes). */
  drain(): void {
    while (this.queue.length > 0) this.commit();
  }

  private commit(): void {
    this.scheduled = false;
    let size = 0;
    let taken = 0;
    while (taken < this.queue.length && (taken === 0 || size + this.queue[taken].envelopes.length <= MAX_GROUP_EVENTS)) {
      size += this.queue[taken].envelopes.length;
      taken++;
    }
    const group = this.queue.splice(0, taken);
    if (this.queue.length > 0 && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.commit());
    }
    if (group.length === 0) return;
    let outcomes;
    try {
      outcomes = this.transaction.immediate(group);
    } catch (error) {
      // Rolled back: what the board holds in memory may be what the file never got.
      this.board.discard();
      const failure = this.fail(error);
      for (const call of group) call.reject(failure);
      return;
    }
    group.forEach((call, i) => {
      const { results, stored } = outcomes[i];
      try {
        // Told only once committed: a listener never pushes what a rollback took back.
        if (stored.length > 0) this.tell(call.teamId, stored);
        call.resolve(results);
      } catch (error) {
        call.reject(error);
      }
    });
  }

  /** One call's events, inside the group's transaction. */
  private apply({ teamId, envelopes, now, jsons }: Call): { results: IngestResult[]; stored: StoredEvent[] } {
    const { board } = this;
    const results: IngestResult[] = new Array(envelopes.length);
    const stored: StoredEvent[] = [];
    for (let index = 0; index < envelopes.length; index++) {
      const envelope = envelopes[index];
      const eventId = typeof envelope?.event_id === 'string' ? envelope.event_id : String(envelope?.event_id ?? '');
      try {
        // The board change is worked out first (pure), so an event that cannot be applied is
        // rejected before anything of it is stored.
        const target = eventTarget(envelope);
        const next = target ? applyEvent(board.load(teamId, target), envelope, target) : null;
        const inserted = this.insertEvent.run(
          teamId,
          envelope.event_id,
          target?.project_uuid ?? (envelope.project_uuid ? projectKey(envelope.project_uuid) : null),
          envelope.event_type,
          envelope.lamport_clock,
          envelope.node_id,
          normalizeTimestamp(envelope.timestamp),
          jsons?.[index] ?? JSON.stringify(envelope),
          now,
        );
        if (inserted.changes === 0) {
          results[index] = { event_id: eventId, status: 'duplicate' };
          continue;
        }
        if (target && next) board.store(teamId, target, next);
        stored.push({ seq: Number(inserted.lastInsertRowid), envelope, receivedAt: now });
        results[index] = { event_id: eventId, status: 'success' };
      } catch (error) {
        // The database failing (busy, full, an I/O error…) is no fault of the event: the whole
        // transaction fails and the caller hears 'unavailable', so the client sends it again.
        // Only what the event itself gets wrong is `rejected`, which clients take as final.
        if (isStorageFailure(error)) throw error;
        results[index] = { event_id: eventId, status: 'rejected', error_message: `not stored: ${error instanceof Error ? error.message : String(error)}` };
      }
    }
    return { results, stored };
  }
}

export const isBusy = (error: unknown) => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
};

// The result codes an event itself can cause (a value the column or SQLite refuses); every other
// SQLITE_ code is the database's own trouble (SQLITE_FULL, SQLITE_IOERR_*, SQLITE_READONLY,
// SQLITE_CORRUPT, SQLITE_NOMEM, SQLITE_CANTOPEN, busy or locked…), temporary for the client.
const EVENT_FAULTS = /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG|RANGE)(_|$)/;

/** An error of the database itself, not of the event being stored: it fails the whole call as 'unavailable'. */
export const isStorageFailure = (error: unknown) => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') && !EVENT_FAULTS.test(code);
};

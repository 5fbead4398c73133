import type { Envelope } from '../../contract/index.js';
import type { QueueCounts, QueuedEvent, QueueState } from '../../core/services.js';

/** A row of `events` as SQLite returns it (times in epoch ms). */
export interface EventRow {
  seq: number;
  event_id: string;
  state: QueueState;
  attempts: number;
  last_error: string | null;
  next_attempt_at: number;
  created_at: number;
  sent_at: number | null;
  origin: string | null;
  envelope: string;
}

export const ROW_COLUMNS = 'seq, event_id, state, attempts, last_error, next_attempt_at, created_at, sent_at, origin, envelope';

const iso = (ms: number | null) => (ms === null || ms === 0 ? null : new Date(ms).toISOString());

export function toQueuedEvent(row: EventRow): QueuedEvent {
  return {
    seq: row.seq,
    event_id: row.event_id,
    state: row.state,
    attempts: row.attempts,
    last_error: row.last_error,
    next_attempt_at: iso(row.next_attempt_at),
    created_at: new Date(row.created_at).toISOString(),
    sent_at: iso(row.sent_at),
    origin: row.origin,
    envelope: JSON.parse(row.envelope) as Envelope,
  };
}

export const zeroCounts = (): QueueCounts => ({ pending: 0, held: 0, sent: 0, dead: 0 });

import type { QueueState, QueuedEvent } from '../../../core/services.js';
import { dim, print, printJson, table } from '../../output.js';
import { TOKENS } from '../../../core/tokens.js';
import { cliServices } from '../../runtime.js';
import { UserError } from '../../../core/errors.js';
import { queueUnavailable } from '../../../services/user-db/errors.js';

export interface SyncQueueOptions {
  json?: boolean;
  state?: QueueState;
  project?: string;
  limit: number;
}

/** The stable JSON shape other tools read back (ordered by seq ascending). */
const toJson = (e: QueuedEvent) => ({
  seq: e.seq,
  state: e.state,
  attempts: e.attempts,
  last_error: e.last_error,
  created_at: e.created_at,
  sent_at: e.sent_at,
  next_attempt_at: e.next_attempt_at,
  origin: e.origin,
  envelope: e.envelope,
});

function describe(e: QueuedEvent): string {
  const p = e.envelope.payload;
  if (e.envelope.event_type === 'WPStatusChanged') return `${String(p.previous_status)} → ${String(p.new_status)}`;
  return '';
}

export async function syncQueue(opts: SyncQueueOptions): Promise<void> {
  const queue = (await cliServices()).get(TOKENS.ReadQueue);
  // A queue that cannot be read is one line saying what to do, exit 1: never a stack trace.
  const { total, events } = await queue.list({ state: opts.state, project: opts.project, limit: opts.limit }).catch((err: unknown) => {
    throw err instanceof UserError ? err : queueUnavailable(queue.path, err);
  });
  if (opts.json) {
    printJson({ queue_path: queue.path, total, limit: opts.limit, events: events.map(toJson) });
    return;
  }
  if (events.length === 0) {
    const filter = [opts.state && `state ${opts.state}`, opts.project && `project ${opts.project}`].filter(Boolean).join(', ');
    print(`No queued events${filter ? ` (${filter})` : ''}. Queue: ${queue.path}`);
    return;
  }
  print(table(
    events.map((e) => [
      String(e.seq), e.state, e.created_at.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
      e.envelope.project_slug ?? '-', e.envelope.event_type, e.envelope.aggregate_id, describe(e),
      e.attempts > 0 ? `${e.attempts} attempt(s): ${e.last_error ?? ''}` : '',
    ]),
    ['seq', 'state', 'queued', 'project', 'event', 'aggregate', 'change', 'delivery'],
  ));
  if (events.length < total) {
    print(dim(`showing the oldest ${events.length} of ${total}; use --limit N (0 = all) or --state/--project to narrow`));
  }
}

import type { EventResult } from 'spec-kitty/plugin';
import type { Item } from './batches.js';

/** What the hub's answer to one batch means for each of its events. */
export interface Sorted {
  /** Success and duplicate: sent. */
  sent: string[];
  duplicate: number;
  dead: Array<{ item: Item; reason: string }>;
  /** No result, or one the sender does not know: sent again later. */
  retry: Array<{ item: Item; reason: string }>;
}

/** Matches the results to the batch by event_id (the hub's order is not relied on; a result for an event not sent is ignored). */
export function sortResults(batch: readonly Item[], results: readonly EventResult[]): Sorted {
  const byId = new Map<string, EventResult>();
  for (const r of results) if (!byId.has(r.event_id)) byId.set(r.event_id, r);
  const sorted: Sorted = { sent: [], duplicate: 0, dead: [], retry: [] };
  for (const item of batch) {
    const result = byId.get(item.id);
    const status: string | undefined = result?.status;
    if (status === 'success' || status === 'duplicate') {
      sorted.sent.push(item.id);
      if (status === 'duplicate') sorted.duplicate += 1;
    } else if (status === 'rejected') {
      sorted.dead.push({ item, reason: `rejected by the hub: ${result?.error_message || 'no reason given'}` });
    } else {
      sorted.retry.push({ item, reason: status === undefined ? 'the hub gave no result for this event' : `the hub gave an unknown status "${status}"` });
    }
  }
  return sorted;
}

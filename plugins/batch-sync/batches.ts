import type { Envelope, QueuedEvent } from 'spec-kitty/plugin';

/** A claimed event as the sender handles it: its JSON size is counted once. */
export interface Item {
  id: string;
  envelope: Envelope;
  /** Attempts before this one: the per-event backoff grows with it. */
  attempts: number;
  /** Bytes of its JSON, as it goes in the batch body before gzip. */
  bytes: number;
}

export interface BatchLimits {
  maxEvents: number;
  /** Of the whole body, `{"events":[…]}`, before gzip. */
  maxBytes: number;
}

/** `{"events":[` and `]}`: what the body adds around its events (plus a comma between two). */
const BODY_BYTES = Buffer.byteLength('{"events":[]}');

export function toItem(event: QueuedEvent): Item {
  return { id: event.event_id, envelope: event.envelope, attempts: event.attempts, bytes: Buffer.byteLength(JSON.stringify(event.envelope)) };
}

/** The body size of a batch holding `items`. */
export function bodyBytes(items: readonly Item[]): number {
  return items.reduce((n, i) => n + i.bytes, BODY_BYTES + Math.max(0, items.length - 1));
}

/** Events by project, in order of each project's first event; each project's events keep their order. */
export function groupByProject(items: readonly Item[]): Item[][] {
  const groups = new Map<string | null, Item[]>();
  for (const item of items) {
    const key = item.envelope.project_uuid;
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return [...groups.values()];
}

/**
 * Cuts one project's events, in order, into batches within `limits`. An event too big for any
 * batch goes alone: the hub then says whether it takes it.
 */
export function splitBatches(items: readonly Item[], limits: BatchLimits): Item[][] {
  const batches: Item[][] = [];
  let current: Item[] = [];
  let size = BODY_BYTES;
  for (const item of items) {
    const grown = size + item.bytes + (current.length > 0 ? 1 : 0);
    if (current.length > 0 && (current.length >= limits.maxEvents || grown > limits.maxBytes)) {
      batches.push(current);
      current = [];
      size = BODY_BYTES;
    }
    size += item.bytes + (current.length > 0 ? 1 : 0);
    current.push(item);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** The batches one claim is sent in: per project, then within the limits. */
export function batchesOf(items: readonly Item[], limits: BatchLimits): Item[][] {
  return groupByProject(items).flatMap((group) => splitBatches(group, limits));
}

/** Two halves (the first the larger when odd); a batch of one is not halved. */
export function halve(batch: readonly Item[]): Item[][] {
  if (batch.length < 2) return [[...batch]];
  const middle = Math.ceil(batch.length / 2);
  return [batch.slice(0, middle), batch.slice(middle)];
}

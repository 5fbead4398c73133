import test from 'ava';
import { retryWaitMs } from '../../../plugins/batch-sync/backoff.js';
import { batchesOf, bodyBytes, halve, splitBatches, toItem, type Item } from '../../../plugins/batch-sync/batches.js';
import { sortResults } from '../../../plugins/batch-sync/results.js';
import type { QueuedEvent } from '../../../core/services.js';
import { envelope, PROJECT_A, PROJECT_B } from '../../helpers/envelope.js';

const policy = (random: () => number) => ({ baseMs: 500, maxMs: 30_000, random });

test('backoff: the ceiling doubles from 0.5 s up to 30 s, with full jitter under it', (t) => {
  const top = policy(() => 0.999999);
  t.deepEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => retryWaitMs(n, top)), [499, 999, 1999, 3999, 7999, 15999, 29999, 29999]);
  t.is(retryWaitMs(4, policy(() => 0)), 0, 'full jitter reaches down to no wait at all');
  t.is(retryWaitMs(4, policy(() => 0.5)), 2000);
  // A fixed sequence of random numbers: the waits spread under a ceiling that grows.
  const sequence = [0.9, 0.1, 0.7, 0.3, 0.8, 0.2, 0.6];
  let i = 0;
  const waits = sequence.map((_, n) => retryWaitMs(n + 1, policy(() => sequence[i++]!)));
  t.deepEqual(waits, [450, 100, 1400, 1200, 6400, 3200, 18000]);
  t.true(waits.every((w, n) => w < Math.min(30_000, 500 * 2 ** n)));
});

test('backoff: never shorter than Retry-After, which may exceed the cap', (t) => {
  t.is(retryWaitMs(1, policy(() => 0.5), 2), 2000);
  t.is(retryWaitMs(8, policy(() => 0.99), 2), 29_700, 'a longer jittered wait stands');
  t.is(retryWaitMs(1, policy(() => 0), 120), 120_000);
  t.is(retryWaitMs(1, policy(() => 0.5), 0), 250, 'Retry-After: 0 asks for nothing');
});

let seq = 0;
const item = (project = PROJECT_A, pad = 0): Item => toItem({
  seq: ++seq, event_id: '', state: 'pending', attempts: 0, last_error: null, next_attempt_at: null, created_at: '', sent_at: null, origin: null,
  envelope: envelope({ project_uuid: project, lamport_clock: 1, payload: { pad: 'x'.repeat(pad) } }),
} as QueuedEvent);
const fix = (i: Item) => ({ ...i, id: i.envelope.event_id });

test('batches: one project each, in queue order, within the event and byte limits', (t) => {
  const items = [item(PROJECT_A), item(PROJECT_B), item(PROJECT_A), item(PROJECT_B), item(PROJECT_A)].map(fix);
  const batches = batchesOf(items, { maxEvents: 2, maxBytes: 1 << 20 });
  t.deepEqual(batches.map((b) => b.map((i) => items.indexOf(i))), [[0, 2], [4], [1, 3]]);

  const big = Array.from({ length: 10 }, () => fix(item(PROJECT_A, 1000)));
  const limit = bodyBytes(big.slice(0, 3));
  const split = splitBatches(big, { maxEvents: 1000, maxBytes: limit });
  t.deepEqual(split.map((b) => b.length), [3, 3, 3, 1]);
  t.true(split.every((b) => bodyBytes(b) <= limit));
  t.is(bodyBytes(big.slice(0, 2)), Buffer.byteLength(JSON.stringify({ events: big.slice(0, 2).map((i) => i.envelope) })), 'counted as the body is sent');
  t.deepEqual(splitBatches([fix(item(PROJECT_A, 5000))], { maxEvents: 10, maxBytes: 1024 }).map((b) => b.length), [1], 'too big for any batch: it goes alone');
});

test('halving: the first half takes the odd one; one event is not halved', (t) => {
  const five = Array.from({ length: 5 }, () => fix(item()));
  t.deepEqual(halve(five).map((h) => h.length), [3, 2]);
  t.deepEqual(halve(five.slice(0, 1)).map((h) => h.length), [1]);
});

test('results: matched by event_id; success and duplicate are sent, rejected dead, missing or unknown retried', (t) => {
  const batch = Array.from({ length: 5 }, () => fix(item()));
  const [a, b, c, d, e] = batch.map((i) => i.id);
  const sorted = sortResults(batch, [
    { event_id: c!, status: 'rejected', error_message: 'unknown event_type' },
    { event_id: a!, status: 'success' },
    { event_id: b!, status: 'duplicate' },
    { event_id: e!, status: 'maybe' as never },
    { event_id: 'not-sent', status: 'success' },
  ]);
  t.deepEqual(sorted.sent, [a, b]);
  t.is(sorted.duplicate, 1);
  t.deepEqual(sorted.dead.map((x) => [x.item.id, x.reason]), [[c, 'rejected by the hub: unknown event_type']]);
  t.deepEqual(sorted.retry.map((x) => [x.item.id, x.reason]), [[d, 'the hub gave no result for this event'], [e, 'the hub gave an unknown status "maybe"']]);
});

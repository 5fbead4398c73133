import test from 'ava';
import { PRUNE_INTERVAL_MS } from '../../../services/queue/prune.js';
import { envelope, openTestQueue } from './queue-fixtures.js';

const DAY = 24 * 60 * 60 * 1000;

test('claim leases deliverable pending events oldest first, up to the limit', async (t) => {
  const { queue } = openTestQueue();
  const events = [envelope(), envelope(), envelope()];
  for (const e of events) await queue.enqueue(e, 'pending');
  const claimed = await queue.claim({ limit: 2, leaseMs: 60_000 });
  t.deepEqual(claimed.map((c) => c.event_id), events.slice(0, 2).map((e) => e.event_id));
  t.deepEqual(claimed[0].envelope, events[0]);
  queue.close();
});

test('held events are never claimable, whatever the time', async (t) => {
  const { queue } = openTestQueue();
  const held = envelope({ project_uuid: null, project_slug: null });
  const pending = envelope();
  await queue.enqueue(held, 'held');
  await queue.enqueue(pending, 'pending');
  const first = await queue.claim({ limit: 10, leaseMs: 1000 });
  t.deepEqual(first.map((c) => c.event_id), [pending.event_id]);
  const muchLater = await queue.claim({ limit: 10, leaseMs: 1000, now: Date.now() + 365 * DAY });
  t.deepEqual(muchLater.map((c) => c.event_id), [pending.event_id], 'only the pending event comes back once its lease ends');
  t.is(await queue.markSent([held.event_id]), 0, 'a held event cannot be marked sent either');
  queue.close();
});

test('a lease keeps another process from claiming the same rows until it expires', async (t) => {
  const a = openTestQueue();
  const b = openTestQueue(a.home);
  for (let i = 0; i < 4; i++) await a.queue.enqueue(envelope(), 'pending');
  const now = Date.now();
  const byA = await a.queue.claim({ limit: 2, leaseMs: 30_000, now });
  const byB = await b.queue.claim({ limit: 10, leaseMs: 30_000, now });
  t.is(byA.length, 2);
  t.is(byB.length, 2);
  t.deepEqual(byA.map((c) => c.seq).filter((s) => byB.some((x) => x.seq === s)), [], 'no row claimed twice');
  t.deepEqual(await a.queue.claim({ limit: 10, leaseMs: 30_000, now: now + 1000 }), []);
  const afterExpiry = await b.queue.claim({ limit: 10, leaseMs: 30_000, now: now + 30_001 });
  t.is(afterExpiry.length, 4, 'an abandoned lease frees its rows');
  a.queue.close();
  b.queue.close();
});

test('retry counts the attempt, keeps the error and frees the row at its next attempt time', async (t) => {
  const { queue } = openTestQueue();
  const e = envelope();
  await queue.enqueue(e, 'pending');
  const now = Date.now();
  await queue.claim({ limit: 1, leaseMs: 60_000, now });
  await queue.markRetry(e.event_id, 'hub unreachable: ECONNREFUSED', now + 5000);
  t.deepEqual(await queue.claim({ limit: 1, leaseMs: 60_000, now: now + 4999 }), [], 'not before its next attempt');
  const [again] = await queue.claim({ limit: 1, leaseMs: 60_000, now: now + 5000 });
  t.is(again.event_id, e.event_id);
  t.is(again.attempts, 1);
  t.is(again.last_error, 'hub unreachable: ECONNREFUSED');
  t.is(again.next_attempt_at, new Date(now + 5000).toISOString());
  t.is(again.state, 'pending');
  queue.close();
});

test('dead keeps the reason and is never claimed again; sent clears the error', async (t) => {
  const { queue } = openTestQueue();
  const dead = envelope();
  const sent = envelope();
  await queue.enqueue(dead, 'pending');
  await queue.enqueue(sent, 'pending');
  await queue.markRetry(sent.event_id, 'timeout', 0);
  await queue.markDead(dead.event_id, 'rejected: unknown event_type');
  t.is(await queue.markSent([sent.event_id, dead.event_id]), 1, 'a dead event does not come back as sent');
  t.deepEqual(await queue.claim({ limit: 10, leaseMs: 1000, now: Date.now() + DAY }), []);
  const { events } = await queue.list();
  t.like(events[0], { state: 'dead', last_error: 'rejected: unknown event_type', attempts: 1 });
  t.like(events[1], { state: 'sent', last_error: null, attempts: 1 });
  t.truthy(events[1].sent_at);
  queue.close();
});

test('pruning deletes only sent events past retention, at most once per interval', async (t) => {
  const { queue } = openTestQueue();
  const old = envelope();
  const recent = envelope();
  const waiting = envelope();
  for (const e of [old, recent, waiting]) await queue.enqueue(e, 'pending');
  const now = Date.now();
  await queue.markSent([old.event_id], now - 8 * DAY);
  await queue.markSent([recent.event_id], now - DAY);
  t.is(await queue.pruneSent(7 * DAY, now), 1);
  t.deepEqual((await queue.list()).events.map((e) => e.event_id), [recent.event_id, waiting.event_id]);
  t.is(await queue.pruneSent(0, now + 1000), 0, 'rate-limited: the next prune waits for the interval');
  t.is(await queue.pruneSent(0, now + PRUNE_INTERVAL_MS + 1), 1);
  t.deepEqual((await queue.list()).events.map((e) => e.state), ['pending'], 'pending is never pruned');
  queue.close();
});

test('release frees claimed rows at once, without counting an attempt', async (t) => {
  const { queue } = openTestQueue();
  const e = envelope();
  await queue.enqueue(e, 'pending');
  const [claimed] = await queue.claim({ limit: 1, leaseMs: 60_000 });
  t.deepEqual(await queue.claim({ limit: 1, leaseMs: 60_000 }), [], 'leased');
  await queue.release([claimed.event_id]);
  const [again] = await queue.claim({ limit: 1, leaseMs: 60_000 });
  t.is(again.event_id, e.event_id);
  t.is(again.attempts, 0);
  queue.close();
});

test('retryDead puts dead events back to pending (all, or one), attempts reset', async (t) => {
  const { queue } = openTestQueue();
  const [a, b] = [envelope(), envelope()];
  for (const e of [a, b]) {
    await queue.enqueue(e, 'pending');
    await queue.markDead(e.event_id, 'rejected: bad payload');
  }
  t.is(await queue.retryDead('01NOTANEVENT0000000000000'), 0);
  t.is(await queue.retryDead(a.event_id), 1);
  const { events } = await queue.list({ limit: 0 });
  t.like(events.find((e) => e.event_id === a.event_id), { state: 'pending', attempts: 0 });
  t.like(events.find((e) => e.event_id === b.event_id), { state: 'dead', last_error: 'rejected: bad payload' });
  t.is(await queue.retryDead(), 1);
  t.is((await queue.stats()).counts.dead, 0);
  queue.close();
});

test('recordSync keeps the last failure for sync status until a sync succeeds', async (t) => {
  const { queue } = openTestQueue();
  await queue.enqueue(envelope(), 'pending');
  t.is((await queue.stats()).lastSyncError, null);
  const at = Date.parse('2026-11-30T12:00:00.000Z');
  await queue.recordSync({ at, error: 'POST http://hub/api/v1/events/batch/: 503' });
  t.deepEqual((await queue.stats()).lastSyncError, { at: '2026-11-30T12:00:00.000Z', message: 'POST http://hub/api/v1/events/batch/: 503' });
  await queue.recordSync({ at: at + 1000, error: null });
  t.is((await queue.stats()).lastSyncError, null);
  queue.close();
});

test('claim with retryNow also takes rows waiting for their next attempt, never rows leased by another', async (t) => {
  const { queue } = openTestQueue();
  const [waiting, leased] = [envelope(), envelope()];
  for (const e of [waiting, leased]) await queue.enqueue(e, 'pending');
  await queue.markRetry(waiting.event_id, 'hub down', Date.now() + 60_000);
  t.deepEqual((await queue.claim({ limit: 1, leaseMs: 60_000 })).map((c) => c.event_id), [leased.event_id]);
  t.deepEqual(await queue.claim({ limit: 10, leaseMs: 60_000 }), [], 'the other waits for its next attempt');
  t.deepEqual((await queue.claim({ limit: 10, leaseMs: 60_000, retryNow: true })).map((c) => c.event_id), [waiting.event_id]);
  queue.close();
});

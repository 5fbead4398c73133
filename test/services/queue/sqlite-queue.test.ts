import test from 'ava';
import Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SCHEMA_VERSION } from '../../../services/user-db/schema.js';
import { envelope, openTestQueue, PROJECT_A, PROJECT_B } from './queue-fixtures.js';

test('the first enqueue creates the per-user folder (0700) and a WAL database at the current schema', async (t) => {
  const { queue, home } = openTestQueue();
  t.false(existsSync(home));
  await queue.enqueue(envelope(), 'pending');
  t.is(statSync(home).mode & 0o777, 0o700);
  t.is(queue.path, join(home, 'queue.db'));
  const db = new Database(queue.path, { readonly: true });
  t.is(db.pragma('journal_mode', { simple: true }), 'wal');
  t.is(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  db.close();
  queue.close();
});

test('an event is on disk when enqueue resolves: another connection sees it before close', async (t) => {
  const { queue } = openTestQueue();
  const e = envelope();
  await queue.enqueue(e, 'pending');
  const db = new Database(queue.path, { readonly: true });
  const row = db.prepare('SELECT state, envelope FROM events WHERE event_id = ?').get(e.event_id) as { state: string; envelope: string };
  db.close();
  t.is(row.state, 'pending');
  t.deepEqual(JSON.parse(row.envelope), e);
  queue.close();
});

test('insert is idempotent on event_id: in one batch, in a later batch, and from another connection', async (t) => {
  const { queue, home } = openTestQueue();
  const e = envelope();
  const same = await Promise.all([queue.enqueue(e, 'pending'), queue.enqueue({ ...e }, 'pending')]);
  t.deepEqual(same.map((r) => r.inserted), [true, false]);
  t.false((await queue.enqueue(e, 'held')).inserted);
  const other = openTestQueue(home).queue;
  t.false((await other.enqueue(e, 'pending')).inserted);
  const { total, events } = await queue.list();
  t.is(total, 1);
  t.is(events[0].state, 'pending', 'a repeat never changes the stored row');
  other.close();
  queue.close();
});

test('enqueues made in the same tick share one transaction (group commit), in call order', async (t) => {
  const { queue } = openTestQueue();
  const batch = Array.from({ length: 100 }, (_, i) => envelope({ aggregate_id: `WP${String(i).padStart(2, '0')}` }));
  const results = await Promise.all(batch.map((e) => queue.enqueue(e, 'pending')));
  t.true(results.every((r) => r.inserted));
  const { events } = await queue.list();
  t.deepEqual(events.map((e) => e.event_id), batch.map((e) => e.event_id), 'seq follows call order');
  // One transaction stamps one created_at: a commit per event would spread them over many ms.
  t.is(new Set(events.map((e) => e.created_at)).size, 1);
  queue.close();
});

test('reading an absent queue reports zeros and creates nothing', async (t) => {
  const { queue, home } = openTestQueue();
  const stats = await queue.stats();
  t.deepEqual(stats.counts, { pending: 0, held: 0, sent: 0, dead: 0 });
  t.false(stats.exists);
  t.deepEqual(await queue.list(), { total: 0, events: [] });
  t.deepEqual(await queue.claim({ limit: 10, leaseMs: 1000 }), []);
  t.false(existsSync(home));
  queue.close();
});

test('stats count per state and per project and give the oldest pending time', async (t) => {
  const { queue } = openTestQueue();
  const first = envelope();
  await queue.enqueue(first, 'pending');
  await queue.enqueue(envelope(), 'pending');
  await queue.enqueue(envelope({ project_uuid: PROJECT_B, project_slug: 'beta' }), 'pending');
  await queue.enqueue(envelope({ project_uuid: null, project_slug: null }), 'held');
  await queue.markSent([first.event_id]);
  const stats = await queue.stats();
  t.true(stats.exists);
  t.deepEqual(stats.counts, { pending: 2, held: 1, sent: 1, dead: 0 });
  const byUuid = Object.fromEntries(stats.projects.map((p) => [String(p.project_uuid), p]));
  t.deepEqual(byUuid[PROJECT_A].counts, { pending: 1, held: 0, sent: 1, dead: 0 });
  t.is(byUuid[PROJECT_A].project_slug, 'alpha');
  t.deepEqual(byUuid[PROJECT_B].counts, { pending: 1, held: 0, sent: 0, dead: 0 });
  t.deepEqual(byUuid.null.counts, { pending: 0, held: 1, sent: 0, dead: 0 });
  const { events } = await queue.list({ state: 'pending' });
  t.is(stats.oldestPendingAt, events[0].created_at);
  queue.close();
});

test('list filters by state and project (uuid or slug), limits from the oldest, and reports the total', async (t) => {
  const { queue } = openTestQueue();
  const a = [envelope(), envelope(), envelope()];
  for (const e of a) await queue.enqueue(e, 'pending');
  await queue.enqueue(envelope({ project_uuid: PROJECT_B, project_slug: 'beta' }), 'pending');
  await queue.enqueue(envelope({ project_uuid: null, project_slug: null }), 'held');

  const alpha = await queue.list({ project: 'alpha' });
  t.is(alpha.total, 3);
  t.deepEqual(alpha.events.map((e) => e.event_id), a.map((e) => e.event_id));
  t.is((await queue.list({ project: PROJECT_B })).total, 1);
  const held = await queue.list({ state: 'held' });
  t.deepEqual(held.events.map((e) => e.state), ['held']);
  const limited = await queue.list({ limit: 2 });
  t.is(limited.total, 5);
  t.deepEqual(limited.events.map((e) => e.seq), [1, 2]);
  t.is((await queue.list({ limit: 0 })).events.length, 5, 'limit 0 lists everything');
  queue.close();
});

test('close flushes enqueues still waiting for their batch', async (t) => {
  const { queue, home } = openTestQueue();
  const e = envelope();
  const pending = queue.enqueue(e, 'pending');
  queue.close();
  t.true((await pending).inserted);
  const reopened = openTestQueue(home).queue;
  t.is((await reopened.list()).events[0].event_id, e.event_id);
  reopened.close();
});

test('a file from a newer spec-kitty is refused with a clear message, never moved aside or rewritten', async (t) => {
  const { queue, home, log } = openTestQueue();
  await queue.enqueue(envelope(), 'pending');
  queue.close();
  const db = new Database(join(home, 'queue.db'));
  db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  db.close();
  const newer = openTestQueue(home);
  await t.throwsAsync(newer.queue.enqueue(envelope(), 'pending'), { message: /newer than this spec-kitty understands .*upgrade spec-kitty/ });
  t.deepEqual(log, []);
  t.deepEqual(newer.log, []);
  const check = new Database(join(home, 'queue.db'), { readonly: true });
  t.is((check.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n, 1);
  check.close();
});

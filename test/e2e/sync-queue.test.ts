import test from 'ava';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { envelope, openTestQueue, PROJECT_B } from '../services/queue/queue-fixtures.js';
import { runCli, runJson, tempDir } from '../helpers/cli.js';

interface Listing {
  queue_path: string;
  total: number;
  limit: number;
  events: Array<{ seq: number; state: string; attempts: number; last_error: string | null; created_at: string; envelope: Record<string, unknown> }>;
}

async function seeded() {
  const dir = tempDir('sk-syncq-');
  const opts = { cwd: dir, home: join(dir, 'home') };
  const { queue } = openTestQueue(opts.home);
  const alpha = [envelope(), envelope({ aggregate_id: 'WP02' }), envelope({ aggregate_id: 'WP03' })];
  for (const e of alpha) await queue.enqueue(e, 'pending');
  const beta = envelope({ project_uuid: PROJECT_B, project_slug: 'beta' });
  await queue.enqueue(beta, 'pending');
  await queue.markRetry(beta.event_id, 'hub unreachable', Date.now() + 60_000);
  const held = envelope({ project_uuid: null, project_slug: null });
  await queue.enqueue(held, 'held');
  queue.close();
  return { opts, alpha, beta, held };
}

test('sync queue --json lists every event with its envelope, ordered by seq', async (t) => {
  const { opts, alpha, beta, held } = await seeded();
  const out = await runJson<Listing>(['sync', 'queue', '--json'], opts);
  t.is(out.queue_path, join(opts.home, 'queue.db'));
  t.is(out.total, 5);
  t.deepEqual(out.events.map((e) => e.seq), [1, 2, 3, 4, 5]);
  t.deepEqual(out.events.map((e) => e.envelope), [...alpha, beta, held]);
  t.deepEqual(out.events.map((e) => e.state), ['pending', 'pending', 'pending', 'pending', 'held']);
  t.like(out.events[3], { attempts: 1, last_error: 'hub unreachable' });
  for (const e of out.events) {
    t.deepEqual(Object.keys(e).slice(0, 6), ['seq', 'state', 'attempts', 'last_error', 'created_at', 'sent_at']);
    t.regex(e.created_at, /^\d{4}-\d\d-\d\dT.*Z$/);
  }
});

test('sync queue filters by --state and --project (slug or uuid) and honours --limit', async (t) => {
  const { opts, alpha, held } = await seeded();
  const heldOnly = await runJson<Listing>(['sync', 'queue', '--json', '--state', 'held'], opts);
  t.deepEqual(heldOnly.events.map((e) => e.envelope.event_id), [held.event_id]);
  const bySlug = await runJson<Listing>(['sync', 'queue', '--json', '--project', 'alpha'], opts);
  t.deepEqual(bySlug.events.map((e) => e.envelope.event_id), alpha.map((e) => e.event_id));
  const byUuid = await runJson<Listing>(['sync', 'queue', '--json', '--project', PROJECT_B], opts);
  t.is(byUuid.total, 1);
  const limited = await runJson<Listing>(['sync', 'queue', '--json', '--limit', '2'], opts);
  t.is(limited.total, 5);
  t.deepEqual(limited.events.map((e) => e.seq), [1, 2]);
});

test('sync queue prints a table, and says when it shows only part of the queue', async (t) => {
  const { opts } = await seeded();
  const r = await runCli(['sync', 'queue', '--limit', '4'], opts);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /seq\s+state\s+queued/);
  t.regex(r.stdout, /1\s+pending\s+\S+ \S+\s+alpha\s+WPStatusChanged\s+WP01\s+planned → doing/);
  t.regex(r.stdout, /1 attempt\(s\): hub unreachable/);
  t.regex(r.stdout, /showing the oldest 4 of 5/);
});

test('bad --state or --limit is a usage error (exit 2) that says what is allowed', async (t) => {
  const dir = tempDir('sk-syncq-');
  const opts = { cwd: dir, home: join(dir, 'home') };
  const state = await runCli(['sync', 'queue', '--state', 'queued'], opts);
  t.is(state.code, 2);
  t.regex(state.stderr, /Allowed choices are pending, held, sent, dead/);
  for (const bad of ['abc', '-3', '1.5']) {
    const limit = await runCli(['sync', 'queue', '--limit', bad], opts);
    t.is(limit.code, 2, bad);
    t.regex(limit.stderr, /--limit must be a whole number/);
  }
});

test('sync queue on a fresh home lists nothing and creates nothing', async (t) => {
  const dir = tempDir('sk-syncq-');
  const opts = { cwd: dir, home: join(dir, 'home') };
  t.deepEqual(await runJson<Listing>(['sync', 'queue', '--json'], opts), { queue_path: join(opts.home, 'queue.db'), total: 0, limit: 50, events: [] });
  const human = await runCli(['sync', 'queue'], opts);
  t.regex(human.stdout, /No queued events/);
  t.false(existsSync(join(opts.home, 'queue.db')));
});

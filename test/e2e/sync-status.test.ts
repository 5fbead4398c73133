import test from 'ava';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { envelope, openTestQueue, PROJECT_A, PROJECT_B } from '../services/queue/queue-fixtures.js';
import { runCli, runJson, tempDir } from '../helpers/cli.js';

interface Counts { pending: number; held: number; sent: number; dead: number }
interface Status {
  queue_path: string;
  queue_exists: boolean;
  total: number;
  counts: Counts;
  projects: Array<{ project_uuid: string | null; project_slug: string | null; counts: Counts; total: number }>;
  oldest_pending_at: string | null;
  oldest_pending_age_seconds: number | null;
  auth: { logged_in: boolean; team_slug: string; username: string | null; hub_url: string | null };
}

/** Outside any project: these commands read the per-user queue only. */
const place = () => {
  const dir = tempDir('sk-sync-');
  return { cwd: dir, home: join(dir, 'home') };
};

test('sync status --json on a fresh home: zero counts, the queue path, not logged in, and no file created', async (t) => {
  const opts = place();
  const r = await runCli(['sync', 'status', '--json'], opts);
  t.is(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout) as Status;
  t.deepEqual(s, {
    queue_path: join(opts.home, 'queue.db'),
    queue_exists: false,
    total: 0,
    counts: { pending: 0, held: 0, sent: 0, dead: 0 },
    projects: [],
    oldest_pending_at: null,
    oldest_pending_age_seconds: null,
    auth: s.auth,
  });
  t.like(s.auth, { logged_in: false, team_slug: 'local' });
  t.false(existsSync(join(opts.home, 'queue.db')));
});

test('sync status --json counts per state and per project and dates the oldest pending event', async (t) => {
  const opts = place();
  const { queue } = openTestQueue(opts.home);
  const oldest = envelope();
  await queue.enqueue(oldest, 'pending');
  const sent = envelope();
  await queue.enqueue(sent, 'pending');
  await queue.markSent([sent.event_id]);
  await queue.enqueue(envelope({ project_uuid: PROJECT_B, project_slug: 'beta' }), 'pending');
  const dead = envelope({ project_uuid: PROJECT_B, project_slug: 'beta' });
  await queue.enqueue(dead, 'pending');
  await queue.markDead(dead.event_id, 'rejected');
  await queue.enqueue(envelope({ project_uuid: null, project_slug: null }), 'held');
  const oldestAt = (await queue.list()).events[0].created_at;
  queue.close();

  const s = await runJson<Status>(['sync', 'status', '--json'], opts);
  t.true(s.queue_exists);
  t.is(s.total, 5);
  t.deepEqual(s.counts, { pending: 2, held: 1, sent: 1, dead: 1 });
  const byUuid = Object.fromEntries(s.projects.map((p) => [String(p.project_uuid), p]));
  t.like(byUuid[PROJECT_A], { project_slug: 'alpha', total: 2, counts: { pending: 1, held: 0, sent: 1, dead: 0 } });
  t.like(byUuid[PROJECT_B], { project_slug: 'beta', total: 2, counts: { pending: 1, held: 0, sent: 0, dead: 1 } });
  t.like(byUuid.null, { project_slug: null, counts: { pending: 0, held: 1, sent: 0, dead: 0 } });
  t.is(s.oldest_pending_at, oldestAt);
  t.true(Number.isInteger(s.oldest_pending_age_seconds) && s.oldest_pending_age_seconds! >= 0);
});

test('sync status prints a readable summary', async (t) => {
  const opts = place();
  const { queue } = openTestQueue(opts.home);
  await queue.enqueue(envelope(), 'pending');
  await queue.enqueue(envelope({ project_uuid: null, project_slug: null }), 'held');
  queue.close();
  const r = await runCli(['sync', 'status'], opts);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /Offline queue\s+.*queue\.db/);
  t.regex(r.stdout, /pending\s+1\s+oldest queued \S+ ago/);
  t.regex(r.stdout, /held\s+1\s+no project identity/);
  t.regex(r.stdout, /alpha\s+6f1c2a3b/);
  t.regex(r.stdout, /Hub: not logged in/);
});

test('sync status on a corrupt queue.db moves it aside with a message and still reports', async (t) => {
  const opts = place();
  mkdirSync(opts.home, { recursive: true });
  writeFileSync(join(opts.home, 'queue.db'), 'garbage, not SQLite'.repeat(100));
  const r = await runCli(['sync', 'status', '--json'], opts);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /moved aside to .*queue\.db\.corrupt-/);
  t.not(r.stderr.includes('    at '), true, 'no stack trace');
  t.deepEqual((JSON.parse(r.stdout) as Status).counts, { pending: 0, held: 0, sent: 0, dead: 0 });
  t.is(readdirSync(opts.home).filter((f) => f.startsWith('queue.db.corrupt-')).length, 1);
});

test('sync --help and sync status --help explain the commands with examples', async (t) => {
  const opts = place();
  const sync = await runCli(['sync', '--help'], opts);
  t.is(sync.code, 0);
  t.regex(sync.stdout, /status/);
  t.regex(sync.stdout, /queue/);
  const status = await runCli(['sync', 'status', '--help'], opts);
  t.regex(status.stdout, /Examples:\n\s+\$ spec-kitty sync status/);
});

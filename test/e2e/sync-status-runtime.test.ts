import test from 'ava';
import { runCli, runJson } from '../helpers/cli.js';
import { envelope } from '../helpers/envelope.js';
import { killDrainers, offline, project, recordingServer, seed, storeLogin, waitFor } from './sync-helpers.js';

test('sync status shows the server, user and team, the last sync and the last error of a failed drain, and dead events with their reasons', async (t) => {
  // The hub: first it takes every event but WP07's; then it fails (500).
  let mode: 'reject-one' | 'fail' = 'reject-one';
  const server = await recordingServer(t, (path, events) => {
    if (path !== '/api/v1/events/batch/') return { status: 404 };
    if (mode === 'fail') return { status: 500, body: { error: { code: 'internal', message: 'the disk is full' } } };
    return { status: 200, body: { results: events.map((e) => e.aggregate_id === 'WP07'
      ? { event_id: e.event_id, status: 'rejected', error_message: 'WP07 was archived' }
      : { event_id: e.event_id, status: 'success' }) } };
  });
  const p = await project(t);
  const opts = { cwd: p.repo, home: p.home };
  await storeLogin(p.home, server.url);
  const { uuid, slug } = p.identity();
  const poison = envelope({ project_uuid: uuid, project_slug: slug, team_slug: 'acme', aggregate_id: 'WP07' });
  await seed(p.home, [poison]);
  await offline(p, 'feature', 'create', 'Shop');
  const now = await runCli(['sync', 'now'], opts);
  t.is(now.code, 1);
  t.regex(now.stdout, /sent 1, duplicate 0, rejected → dead 1, left 0/);

  // A drain that fails: the background drainer of the next command records the hub's 500.
  mode = 'fail';
  t.is((await p.run('wp', 'add', '1', 'Cart')).code, 0);
  const failed = await waitFor('the last error', async () => {
    const s = await runJson(['sync', 'status', '--json'], opts);
    return s.last_sync_error !== null && s;
  });
  // Whether that drainer still runs depends on its backoff; a running drainer is shown in
  // sync-drainer.test.ts. Here it is ended, and what was recorded stays.
  await killDrainers(p.home);

  const s = await runJson(['sync', 'status', '--json'], opts);
  t.deepEqual(s.auth, { logged_in: true, team_slug: 'acme', username: 'ada', hub_url: server.url });
  t.like(s.counts, { sent: 1, dead: 1, pending: 1 });
  t.true(Date.parse(s.last_sync_at) > Date.now() - 60_000, s.last_sync_at);
  t.regex(s.last_sync_error.message, /500/);
  t.is(s.last_sync_error.message, failed.last_sync_error.message);
  t.true(Date.parse(s.last_sync_error.at) >= Date.parse(s.last_sync_at));
  t.like(s.sync, { enabled: true, off_because: null, background: true, exit_flush_ms: 1500 });
  t.is(s.dead_events.length, 1);
  t.like(s.dead_events[0], { event_id: poison.event_id, event_type: 'WPStatusChanged', aggregate_id: 'WP07' });
  t.regex(s.dead_events[0].reason, /rejected by the hub: WP07 was archived/);

  const human = await runCli(['sync', 'status'], opts);
  t.is(human.code, 0, human.stderr);
  const out = human.stdout;
  t.true(out.includes(`Hub: logged in to ${server.url} as ada (team acme)`), out);
  t.true(out.includes(`Last sync: ${s.last_sync_at}; last error ${s.last_sync_error.at}: ${s.last_sync_error.message}`), out);
  t.regex(out, /^Sync: in the background after each command/m);
  t.regex(out, /Dead events/);
  t.regex(out, new RegExp(`${poison.event_id}\\s+WPStatusChanged\\s+WP07\\s+rejected by the hub: WP07 was archived`));
  t.regex(out, /^\s+dead\s+1\s/m);
});

import test from 'ava';
import { openTestQueue } from '../services/queue/queue-fixtures.js';
import { runCli, spawnCli } from '../helpers/cli.js';
import { blackHole } from '../services/hub-client/fault-server.js';
import { countIds, liveHub, login, offline, project, recordingServer, states, storeLogin, syncConfig, waitFor } from './sync-helpers.js';

// The engine's waits are unref'd (a plugin must not hold a process open): a command whose job is
// the drain must hold it itself, or it ends mid-wait as a run that "stopped before it finished".

test('sync now waits out events another process holds, then sends them (exit 0, not a run cut short)', async (t) => {
  const hub = await liveHub(t);
  const p = await project(t);
  await login(p, hub.url);
  await offline(p, 'feature', 'create', 'Shop');
  await offline(p, 'wp', 'add', '1', 'Cart');
  // Another process's lease, for a second and a half.
  const other = openTestQueue(p.home);
  t.is((await other.queue.claim({ limit: 10, leaseMs: 1_500 })).length, 2);
  other.queue.close();
  const r = await p.run('sync', 'now', '--json');
  t.is(r.code, 0, r.stderr);
  t.like(JSON.parse(r.stdout), { sent: 2, left: 0 });
  t.like(countIds(await hub.events(p.identity().uuid)), { total: 2, distinct: 2 });
});

test('with sync.background false, a command flushing at exit rides out a failed batch within exit_flush_ms', async (t) => {
  let calls = 0;
  const server = await recordingServer(t, (path) => {
    if (path !== '/api/v1/events/batch/') return null;
    calls += 1;
    return { status: 503, body: { error: 'unavailable' }, headers: { 'retry-after': '0' } };
  });
  const p = await project(t);
  await storeLogin(p.home, server.url);
  await p.ok('feature', 'create', 'Shop');
  syncConfig(p, 'background: false\nexit_flush_ms: 1200');
  const r = await p.run('wp', 'add', '1', 'Cart');
  t.is(r.code, 0, r.stderr);
  t.true(calls >= 1, 'it tried');
  t.deepEqual(states(await p.events()), { pending: 2 });
});

test('SPEC_KITTY_SYNC=off: sync now sends nothing and says why (exit 1), no request made', async (t) => {
  const server = await recordingServer(t, () => ({ status: 200, body: { results: [] } }));
  const p = await project(t);
  await storeLogin(p.home, server.url);
  await offline(p, 'feature', 'create', 'Shop');
  const r = await runCli(['sync', 'now'], { cwd: p.repo, home: p.home, env: { SPEC_KITTY_SYNC: 'off' } });
  t.is(r.code, 1);
  t.regex(r.stderr, /sync is off \(SPEC_KITTY_SYNC=off\)/);
  t.deepEqual(server.requests, []);
  t.deepEqual(states(await p.events()), { pending: 1 });
});

test('SIGTERM during sync now: what it claimed goes back to pending, exit 143', async (t) => {
  const hole = await blackHole(t);
  const p = await project(t);
  await storeLogin(p.home, hole);
  await offline(p, 'feature', 'create', 'Shop');
  const child = spawnCli(['sync', 'now', '--json'], { cwd: p.repo, home: p.home });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  t.teardown(() => { child.kill('SIGKILL'); });
  // Once it has claimed (the batch hangs on the black hole), stop it.
  await waitFor('the claim', async () => (await p.events()).some((e) => e.state === 'pending'), { timeoutMs: 10_000 });
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  child.kill('SIGTERM');
  t.is(await exited, 143);
  const again = openTestQueue(p.home);
  t.is((await again.queue.claim({ limit: 10, leaseMs: 1_000 })).length, 1, 'released: claimable at once');
  again.queue.close();
});

import test, { type ExecutionContext } from 'ava';
import { drainLog, drainersExited, offline, project, recordingServer, states, storeLogin } from './sync-helpers.js';

/**
 * A hub that answers the first batch 500 (retry after 1 s, and the connection closed, so the
 * client holds no socket meanwhile) and takes every later one.
 */
async function failsOnce(t: ExecutionContext) {
  let batches = 0;
  return recordingServer(t, (path, events) => {
    if (path !== '/api/v1/events/batch/') return { status: 404, body: { error: { code: 'not_found', message: path } } };
    batches += 1;
    if (batches === 1) return { status: 500, body: { error: { code: 'internal', message: 'try again' } }, headers: { 'retry-after': '1', connection: 'close' } };
    return { status: 200, body: { results: events.map((e) => ({ event_id: e.event_id, status: 'success' })) } };
  });
}

// After a failed batch, batch-sync backs off on an unref'd timer (plugins/batch-sync/waits.ts):
// `sync now` and the drainer must keep the process alive while they wait (cli/sync/hold-open.ts),
// or the launcher ends them mid-wait: exit 1, "spec-kitty stopped before the command finished".

test('sync now retries a hub that failed once (500), within its deadline, and exits 0 with everything sent', async (t) => {
  const hub = await failsOnce(t);
  const p = await project(t);
  await storeLogin(p.home, hub.url);
  await offline(p, 'feature', 'create', 'Shop');
  const r = await p.run('sync', 'now', '--json');
  t.notRegex(r.stderr, /stopped before the command finished/);
  t.is(r.code, 0, r.stderr);
  t.like(JSON.parse(r.stdout), { sent: 1, dead: 0, left: 0, error: null });
  t.is(hub.requests.filter((q) => q.path === '/api/v1/events/batch/').length, 2);
});

test('the background drainer retries a hub that failed once (500) and delivers', async (t) => {
  const hub = await failsOnce(t);
  const p = await project(t);
  await storeLogin(p.home, hub.url);
  t.is((await p.run('feature', 'create', 'Shop')).code, 0);
  t.true(await drainersExited(p.home, 15_000));
  const log = drainLog(p.home).join('\n');
  t.notRegex(log, /stopped before the command finished/);
  t.regex(log, /sent 1, duplicate 0, dead 0, left 0/);
  t.deepEqual(states(await p.events()), { sent: 1 });
});

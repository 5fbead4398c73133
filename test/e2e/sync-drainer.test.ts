import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runningDrainer } from '../../cli/sync/drainer-lock.js';
import { runCli, runJson } from '../helpers/cli.js';
import { blackHole } from '../services/hub-client/fault-server.js';
import {
  countIds, drainLog, drainTotals, drainerPids, drainersExited, liveHub, login, offline, project, recordingServer, states, storeLogin, waitFor,
} from './sync-helpers.js';

test('a logged-in implement exits, and the detached drainer puts its events on the hub once, with the project, node and team', async (t) => {
  const hub = await liveHub(t);
  const p = await project(t);
  await login(p, hub.url);
  await offline(p, 'feature', 'create', 'Shop');
  await offline(p, 'wp', 'add', '1', 'Cart');
  t.deepEqual(drainLog(p.home), [], 'sync off: no drainer');

  const r = await p.run('implement', 'WP01');
  t.is(r.code, 0, r.stderr);
  const exited = Date.now();
  const { uuid, slug } = p.identity();
  const onHub = await waitFor('3 events on the hub', async () => {
    const events = await hub.events(uuid);
    return events.length >= 3 && events;
  }, { timeoutMs: 15_000, intervalMs: 25 });
  t.log(`events on the hub ${Date.now() - exited} ms after the command exited`);
  t.true(await drainersExited(p.home), 'the drainer exits once the queue is drained');

  const lines = drainLog(p.home);
  t.is(lines.length, 1, lines.join('\n'));
  t.regex(lines[0]!, /^\S+Z \[\d+\] sent 3, duplicate 0, dead 0, left 0$/);
  const rows = await p.events();
  t.deepEqual(states(rows), { sent: 3 });

  const ids = countIds(onHub);
  t.like(ids, { total: 3, distinct: 3, repeated: [] });
  const nodeId = rows[0]!.envelope.node_id;
  t.regex(nodeId, /^[0-9a-f]{12}$/);
  t.true(readFileSync(join(p.home, 'node-id'), 'utf8').startsWith(nodeId));
  for (const row of rows) {
    const there = onHub.find((e) => e.envelope.event_id === row.envelope.event_id);
    t.truthy(there, `${row.envelope.event_type} is on the hub`);
    t.like(there!.envelope, { project_uuid: uuid, project_slug: slug, node_id: nodeId, team_slug: 'acme' });
    t.deepEqual(there!.envelope, row.envelope);
  }
  t.deepEqual(onHub.map((e) => e.envelope.event_type).sort(), ['FeatureCreated', 'WPCreated', 'WPStatusChanged']);
});

test('one drainer at a time: while one holds the lock (its hub never answers), more commands start none; a live hub then gets every event once', async (t) => {
  const silent = await recordingServer(t, () => null);
  const p = await project(t);
  await storeLogin(p.home, silent.url);
  await p.ok('feature', 'create', 'Shop');
  const first = await waitFor('the first drainer to hold the lock', () => runningDrainer(p.home));
  t.deepEqual(drainerPids(p.home), [first]);
  // Once its batch is out, it is stopped: it stays a live holder of the lock however long the
  // commands below take (running, its request would time out after 10 s).
  await waitFor('its batch', () => silent.requests.length > 0);
  process.kill(first, 'SIGSTOP');
  t.teardown(() => { try { process.kill(first, 'SIGCONT'); } catch { /* gone */ } });

  // More commands, at once: each finds the drainer running and starts none.
  const together = await Promise.all(['A', 'B', 'C'].map((title) => p.run('wp', 'add', '1', title)));
  for (const r of together) t.is(r.code, 0, r.stderr);
  t.is((await p.run('implement', 'WP01')).code, 0);
  t.deepEqual(drainerPids(p.home), [first], 'still the one drainer');
  t.is(runningDrainer(p.home), first);
  t.deepEqual(drainLog(p.home), [], 'no second drainer ran (it would have said so)');
  const status = await runJson(['sync', 'status', '--json'], { cwd: p.repo, home: p.home });
  t.is(status.sync.drainer_pid, first);
  t.is(status.counts.pending, 5);

  // SIGTERM: the drainer releases what it claimed and stops.
  process.kill(first, 'SIGTERM');
  process.kill(first, 'SIGCONT');
  t.true(await drainersExited(p.home, 10_000), 'the drainer ends on SIGTERM');
  t.regex(drainLog(p.home).join('\n'), new RegExp(`\\[${first}\\] SIGTERM: stopping; what was claimed goes back to pending`));
  t.is(runningDrainer(p.home), null);

  const hub = await liveHub(t);
  await login(p, hub.url);
  t.is((await p.run('review', 'WP01')).code, 0);
  const { uuid } = p.identity();
  const onHub = await waitFor('6 events on the hub', async () => {
    const events = await hub.events(uuid);
    return events.length >= 6 && events;
  });
  t.true(await drainersExited(p.home));
  t.like(countIds(onHub), { total: 6, distinct: 6, repeated: [] });
  t.deepEqual(states(await p.events()), { sent: 6 });
  const totals = drainTotals(drainLog(p.home));
  t.is(totals.sent, 6);
  t.is(totals.duplicate, 0);
});

test('commands racing against a live hub: drainers that lose the lock say so and exit; every event is on the hub exactly once', async (t) => {
  const hub = await liveHub(t);
  const p = await project(t);
  await login(p, hub.url);
  await offline(p, 'feature', 'create', 'Shop');
  const results = await Promise.all(Array.from({ length: 4 }, (_, i) => p.run('wp', 'add', '1', `Part ${i}`)));
  for (const r of results) t.is(r.code, 0, r.stderr);
  const { uuid } = p.identity();
  const onHub = await waitFor('5 events on the hub', async () => {
    const events = await hub.events(uuid);
    return events.length >= 5 && events;
  });
  t.true(await drainersExited(p.home));
  t.like(countIds(onHub), { total: 5, distinct: 5, repeated: [] });
  t.deepEqual(states(await p.events()), { sent: 5 });
  const lines = drainLog(p.home);
  for (const line of lines) t.regex(line, /\] (sent \d+, duplicate 0, dead 0, left \d+|another drainer is running: it sends the queue)$/);
  t.is(drainTotals(lines).sent, 5, lines.join('\n'));
});

test('a black-holed hub: implement exits 0 promptly, its event stays pending, and the drainer keeps trying in the background', async (t) => {
  const hole = await blackHole(t);
  const p = await project(t);
  await storeLogin(p.home, hole);
  await offline(p, 'feature', 'create', 'Shop');
  await offline(p, 'wp', 'add', '1', 'Cart');
  const started = Date.now();
  const r = await p.run('implement', 'WP01');
  const took = Date.now() - started;
  t.is(r.code, 0, r.stderr);
  // Waiting on the black hole would take the hub client's 10 s timeout; this bound leaves room for a loaded machine.
  t.log(`implement took ${took} ms`);
  t.true(took < 8_000, `implement took ${took} ms`);
  t.regex(r.stdout, /WP01/);
  const pid = await waitFor('the drainer to hold the lock', () => runningDrainer(p.home));
  t.deepEqual(drainerPids(p.home), [pid]);
  // It is still at it (ended at teardown) while the status shows it and the event waits.
  const status = await runCli(['sync', 'status'], { cwd: p.repo, home: p.home });
  t.regex(status.stdout, new RegExp(`a background drain is running \\(pid ${pid}\\)`));
  t.regex(status.stdout, /^\s+pending\s+3\s/m);
  t.deepEqual(drainerPids(p.home), [pid]);
  t.deepEqual(states(await p.events()), { pending: 3 });
});

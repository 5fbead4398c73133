import test from 'ava';
import { runJson } from '../helpers/cli.js';
import { blackHole } from '../services/hub-client/fault-server.js';
import { drainLog, drainerPids, liveHub, login, project, states, storeLogin, syncConfig } from './sync-helpers.js';

test('sync.background: false: the command sends its event itself before it exits; no drainer', async (t) => {
  const hub = await liveHub(t);
  const p = await project(t);
  await login(p, hub.url);
  syncConfig(p, 'background: false');
  const r = await p.run('feature', 'create', 'Shop');
  t.is(r.code, 0, r.stderr);
  // Right after exit, not polled: it was sent before.
  const onHub = await hub.events(p.identity().uuid);
  t.is(onHub.length, 1);
  t.is(onHub[0]!.envelope.event_type, 'FeatureCreated');
  t.deepEqual(drainerPids(p.home), []);
  t.deepEqual(drainLog(p.home), []);
  t.deepEqual(states(await p.events()), { sent: 1 });
  const status = await runJson(['sync', 'status', '--json'], { cwd: p.repo, home: p.home });
  t.like(status.sync, { enabled: true, background: false, exit_flush_ms: 1500, drainer_pid: null });
});

test('sync.background: false against a black hole: the command gives up at sync.exit_flush_ms, exits 0, and its event stays pending', async (t) => {
  const hole = await blackHole(t);
  const p = await project(t);
  await storeLogin(p.home, hole);
  syncConfig(p, 'background: false\nexit_flush_ms: 800');
  const started = Date.now();
  const r = await p.run('feature', 'create', 'Shop');
  const took = Date.now() - started;
  t.is(r.code, 0, r.stderr);
  t.log(`took ${took} ms with exit_flush_ms 800`);
  t.true(took >= 800, `it tried for its flush budget (${took} ms)`);
  t.true(took < 800 + 4000, `bounded by the flush budget (${took} ms)`);
  t.deepEqual(drainerPids(p.home), []);
  t.deepEqual(drainLog(p.home), []);
  t.deepEqual(states(await p.events()), { pending: 1 });
});

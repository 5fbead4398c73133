import test from 'ava';
import { TOKENS } from '../../../core/tokens.js';
import { validateOptions } from '../../../plugins/batch-sync/drain.js';
import { startHub } from '../../hub/hub-fixture.js';
import { PROJECT_UUID, run, workspace, wpMove } from '../queue-pipeline.js';
import { accept, fakeHub } from './fault-hub.js';
import { loggedOut, logIn } from './fixtures.js';
import { hubEventIds } from './hub-tap.js';

const PIPELINE = [{ use: 'fake-identity' }, { use: 'queue-persist', required: true }, { use: 'batch-sync' }];

test('in the pipeline: a lifecycle plugin; what the run emitted is on the hub once the emitter has flushed', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.hub.close());
  const ws = workspace();
  await logIn(ws.home, hub.url, await hub.login('ada'));
  const { emitter, log } = await run(ws, PIPELINE);
  t.teardown(() => emitter.close());
  t.deepEqual(emitter.plugins.find((p) => p.entry.use === 'batch-sync')?.phases, ['lifecycle']);
  const ids: string[] = [];
  for (const wp of ['WP01', 'WP02', 'WP03']) ids.push((await emitter.emit(wpMove(wp, 'planned', 'doing'))).envelope.event_id);
  await emitter.close(Date.now() + 20_000);
  const reader = await hub.login('bob');
  t.deepEqual((await hubEventIds(hub, reader.access, PROJECT_UUID)).sort(), ids.sort(), log.join('\n'));
  t.true(log.some((l) => /batch-sync: sent 3, duplicate 0, dead 0, retried 0, left 0/.test(l)), log.join('\n'));
});

test('in the pipeline, logged out: the emitter closes without a network call and the events stay queued', async (t) => {
  const hub = await fakeHub(t, accept);
  const ws = workspace();
  await loggedOut(ws.home, hub.url);
  const { emitter } = await run(ws, PIPELINE);
  await emitter.emit(wpMove('WP01', 'planned', 'doing'));
  await emitter.close(Date.now() + 20_000);
  t.deepEqual(hub.requests, []);
  const again = await run(ws, [{ use: 'queue-persist' }]);
  t.is((await again.emitter.container.get(TOKENS.ReadQueue).stats()).counts.pending, 1);
  await again.emitter.close();
});

test('options: defaults filled in; each bad option named', (t) => {
  t.deepEqual(validateOptions({}), {
    maxEvents: 1000, maxBytes: 524_288, leaseMs: 60_000, backoffBaseMs: 500, backoffMaxMs: 30_000, checkHubLimits: false,
  });
  t.like(validateOptions({ maxEvents: 10 }), { maxEvents: 10, maxBytes: 524_288 });
  const err = t.throws(() => validateOptions({ maxEvents: 2000, maxBytes: 'big', extra: 1 }));
  t.regex(err!.message, /unknown option "extra"/);
  t.regex(err!.message, /option "maxEvents" must be .*1000.*got 2000/);
  t.regex(err!.message, /option "maxBytes" must be/);
});

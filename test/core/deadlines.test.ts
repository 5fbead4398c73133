import test from 'ava';
import type { Envelope } from '../../contract/index.js';
import { PersistError } from '../../core/errors.js';
import type { Plugin } from '../../core/plugin.js';
import { draft, makePipeline, memoryPersist } from '../helpers/pipeline.js';

const never = () => new Promise<never>(() => {});
const SHORT = { enrich: 50, guard: 50, persist: 50, commit: 50, discard: 50, deliver: 50, start: 50, apply: 50 };

test('an enrich tap that never settles is cut off at its deadline: undone, the event degraded and still queued', async (t) => {
  const stored: Envelope[] = [];
  const stuck: Plugin = { name: 'stuck', apply(h) { h.enrich.tapPromise('stuck', never); } };
  const { emitter, log } = await makePipeline([{ use: 'stuck' }, { use: 'store' }], { stuck, store: memoryPersist(stored) }, { deadlines: SHORT });
  const result = await emitter.emit(draft());
  t.is(result.status, 'emitted');
  t.deepEqual(result.context.degraded, ['stuck: enrich plugin "stuck" did not finish within 50 ms']);
  t.is(stored.length, 1);
  t.true(log.some((l) => l.includes('enrich plugin "stuck" failed')));
});

test('a guard that never settles does not drop the event', async (t) => {
  const stuck: Plugin = { name: 'stuck', apply(h) { h.guard.tapPromise('stuck', never); } };
  const { emitter } = await makePipeline([{ use: 'stuck' }, { use: 'store' }], { stuck, store: memoryPersist([]) }, { deadlines: SHORT });
  t.is((await emitter.emit(draft())).status, 'emitted');
});

test('a persist tap that never settles makes emit reject before the event is durable, and the change is not made', async (t) => {
  const stuck: Plugin = { name: 'stuck', apply(h) { h.persist.tapPromise('stuck', never); } };
  const { emitter } = await makePipeline([{ use: 'stuck' }, { use: 'store' }], { stuck, store: memoryPersist([]) }, { deadlines: SHORT });
  let applied = false;
  await t.throwsAsync(emitter.emit(draft(), { intent: { path: '/x', hash: '0' }, apply: () => { applied = true; } }),
    { instanceOf: PersistError, message: /plugin "stuck" failed: persist plugin "stuck" did not finish within 50 ms/ });
  t.false(applied);
});

test('a plugin whose apply never settles fails to start, and none of its taps is made', async (t) => {
  const stuck: Plugin = { name: 'stuck', async apply(h) { h.guard.tap('stuck', () => 'dropped'); await never(); } };
  const { emitter } = await makePipeline([{ use: 'stuck' }, { use: 'store' }], { stuck, store: memoryPersist([]) }, { deadlines: SHORT });
  t.is(emitter.plugins[0].status, 'error');
  t.regex(emitter.plugins[0].error!, /failed to start: apply did not finish within 50 ms/);
  t.is((await emitter.emit(draft())).status, 'emitted');
});

test('a deliverer that never settles is cut off; the event is emitted and stays queued', async (t) => {
  const identity: Plugin = { name: 'id', apply(h) { h.enrich.tap('id', (e) => ({ ...e, project_uuid: '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b', project_slug: 'x' })); } };
  const stuck: Plugin = { name: 'ws', apply(h) { h.deliver.tapPromise('ws', never); } };
  const stored: Envelope[] = [];
  const { emitter } = await makePipeline([{ use: 'id' }, { use: 'store' }, { use: 'ws' }],
    { id: identity, ws: stuck, store: memoryPersist(stored) }, { deadlines: SHORT });
  const result = await emitter.emit(draft());
  t.is(result.status, 'emitted');
  t.deepEqual(result.context.deliveryErrors, ['ws: deliver plugin "ws" did not finish within 50 ms']);
  t.is(stored.length, 1);
});

test('flush and stop taps are cut off at the deadline close() gives them', async (t) => {
  const stuck: Plugin = { name: 'stuck', apply(h) { h.flush.tapPromise('stuck', never); h.stop.tapPromise('stuck', never); } };
  const { emitter } = await makePipeline([{ use: 'store' }, { use: 'stuck' }], { stuck, store: memoryPersist([]) }, { deadlines: SHORT });
  const started = Date.now();
  await emitter.close(Date.now() + 100);
  t.true(Date.now() - started < 1000);
});

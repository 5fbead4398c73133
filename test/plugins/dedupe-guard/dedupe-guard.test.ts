import test from 'ava';
import type { DropInfo } from '../../../core/hooks.js';
import { createLogger } from '../../../lib/logger.js';
import { testQueue, type TestQueue } from '../../helpers/services.js';
import { canonicalJson } from '../../../plugins/dedupe-guard/canonical-json.js';
import dedupeGuard from '../../../plugins/dedupe-guard/index.js';
import { run, workspace, wpMove, type Workspace } from '../queue-pipeline.js';

const PIPELINE = [{ use: 'fake-identity' }, { use: 'dedupe-guard', options: { scope: 'command' } }, { use: 'queue-persist', required: true }];
const WINDOW = [{ use: 'fake-identity' }, { use: 'dedupe-guard', options: { scope: 'window', windowMs: 3_600_000 } }, { use: 'queue-persist', required: true }];

const queued = async (ws: Workspace) => {
  const q = testQueue(ws.home, createLogger({ write: () => {} }));
  const { events } = await q.list();
  q.close();
  return events;
};

test('a repeat of the same transition in one run is dropped, reported through `dropped`, and not queued', async (t) => {
  const ws = workspace();
  const { emitter, log } = await run(ws, PIPELINE);
  const drops: DropInfo[] = [];
  emitter.bus.hooks.dropped.tap('test', (_e, drop) => { drops.push(drop); });
  const first = await emitter.emit(wpMove('WP01', 'planned', 'doing'));
  const second = await emitter.emit(wpMove('WP01', 'planned', 'doing'));
  await emitter.close();
  t.is(first.status, 'emitted');
  t.is(second.status, 'dropped');
  t.is(drops.length, 1);
  t.is(drops[0].plugin, 'dedupe-guard');
  t.regex(drops[0].reason, /already emitted in this command run/);
  t.true(drops[0].reason.includes(first.envelope.event_id));
  t.regex(log.join('\n'), /debug: dropped WPStatusChanged .* by dedupe-guard: duplicate/, 'shown with --verbose');
  t.deepEqual((await queued(ws)).map((e) => e.event_id), [first.envelope.event_id]);
});

test('payload key order does not hide a duplicate; a different payload, aggregate or type is not one', async (t) => {
  const ws = workspace();
  const { emitter } = await run(ws, PIPELINE);
  const base = wpMove('WP01', 'planned', 'doing');
  const reordered = { ...base, payload: Object.fromEntries(Object.entries(base.payload).reverse()) };
  t.is((await emitter.emit(base)).status, 'emitted');
  t.is((await emitter.emit(reordered)).status, 'dropped');
  t.is((await emitter.emit(wpMove('WP01', 'doing', 'for_review'))).status, 'emitted');
  t.is((await emitter.emit(wpMove('WP02', 'planned', 'doing'))).status, 'emitted');
  t.is((await emitter.emit({ ...base, event_type: 'WPReplayed' })).status, 'emitted');
  await emitter.close();
  t.is((await queued(ws)).length, 4);
});

test('the same transition in a later run is a real transition and is queued (scope "command")', async (t) => {
  const ws = workspace();
  for (let i = 0; i < 2; i++) {
    const { emitter } = await run(ws, PIPELINE);
    t.is((await emitter.emit(wpMove('WP01', 'doing', 'for_review'))).status, 'emitted');
    await emitter.close();
  }
  const events = await queued(ws);
  t.is(events.length, 2);
  t.not(events[0].envelope.correlation_id, events[1].envelope.correlation_id);
});

test('an event whose persist failed is not remembered: retrying it in the same run queues it', async (t) => {
  const ws = workspace();
  const real = testQueue(ws.home, createLogger({ write: () => {} }));
  let failures = 1;
  const flaky: TestQueue = {
    enqueue: (e, s) => (failures-- > 0 ? Promise.reject(new Error('disk full')) : real.enqueue(e, s)),
    countPending: () => real.countPending(),
    pruneSent: (ms) => real.pruneSent(ms),
    recent: (key, since) => real.recent(key, since),
  };
  const { emitter } = await run(ws, PIPELINE, { services: { queue: flaky } });
  await t.throwsAsync(emitter.emit(wpMove('WP01', 'planned', 'doing')), { message: /disk full/ });
  t.is((await emitter.emit(wpMove('WP01', 'planned', 'doing'))).status, 'emitted');
  await emitter.close();
  t.is((await queued(ws)).length, 1);
});

test('scope "window" also drops a repeat queued by an earlier run within the window', async (t) => {
  const ws = workspace();
  const first = await run(ws, WINDOW);
  t.is((await first.emitter.emit(wpMove('WP01', 'planned', 'doing'))).status, 'emitted');
  await first.emitter.close();

  const second = await run(ws, WINDOW);
  const repeat = await second.emitter.emit(wpMove('WP01', 'planned', 'doing'));
  const other = await second.emitter.emit(wpMove('WP01', 'doing', 'for_review'));
  await second.emitter.close();
  t.is(repeat.status, 'dropped');
  t.regex(repeat.status === 'dropped' ? repeat.drop.reason : '', /queued within the last 3600000 ms/);
  t.is(other.status, 'emitted');
  t.is((await queued(ws)).length, 2);
});

test('the default scope does not look across runs at all (same setup as the window test)', async (t) => {
  const ws = workspace();
  for (let i = 0; i < 2; i++) {
    const { emitter } = await run(ws, [{ use: 'fake-identity' }, { use: 'dedupe-guard' }, { use: 'queue-persist' }]);
    t.is((await emitter.emit(wpMove('WP01', 'planned', 'doing'))).status, 'emitted');
    await emitter.close();
  }
});

test('options: scope defaults to "command"; bad values name the option', (t) => {
  const validate = dedupeGuard.validateOptions!;
  t.is(validate({}).scope, 'command');
  t.deepEqual(validate({ scope: 'window', windowMs: 5000 }), { scope: 'window', windowMs: 5000 });
  t.throws(() => validate({ scope: 'forever' }), { message: /option "scope" must be one of "command", "window"/ });
  t.throws(() => validate({ scope: 'window', windowMs: 0 }), { message: /option "windowMs"/ });
  t.throws(() => validate({ windowMs: 1000 }), { message: /only with scope "window"/ });
  t.throws(() => validate({ scopes: 'command' }), { message: /unknown option "scopes"/ });
});

test('canonical JSON sorts keys at every depth and keeps array order', (t) => {
  t.is(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } }), '{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}');
  t.not(canonicalJson({ a: [1, 2] }), canonicalJson({ a: [2, 1] }));
});

import test from 'ava';
import { ContractError, envelopeViolations, type Envelope } from '../../contract/index.js';
import { PersistError } from '../../core/errors.js';
import type { DropInfo } from '../../core/hooks.js';
import type { Plugin } from '../../core/plugin.js';
import { draft, makePipeline, memoryPersist } from '../helpers/pipeline.js';

const UUID = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';

const enricher = (name: string, calls: string[], patch: Partial<Envelope> = {}): Plugin => ({
  name,
  apply(hooks) {
    hooks.enrich.tap(name, (envelope) => { calls.push(name); return { ...envelope, ...patch }; });
  },
});

test('taps run in plugins.json order, and reordering the file reorders them', async (t) => {
  const plugins = { a: enricher('a', []), b: enricher('b', []), store: memoryPersist([]) };
  for (const order of [['a', 'b'], ['b', 'a']]) {
    const calls: string[] = [];
    const { emitter } = await makePipeline(
      [...order.map((use) => ({ use })), { use: 'store' }],
      { a: enricher('a', calls), b: enricher('b', calls), store: plugins.store },
    );
    await emitter.emit(draft());
    t.deepEqual(calls, order);
  }
});

test('the skeleton carries a ULID, the machine clock and one correlation id per run', async (t) => {
  const stored: Envelope[] = [];
  const { emitter } = await makePipeline([{ use: 'store' }], { store: memoryPersist(stored) });
  await emitter.emit(draft());
  await emitter.emit(draft({ aggregate_id: 'WP02', payload: { ...draft().payload, wp_id: 'WP02' } }));
  t.is(stored.length, 2);
  t.deepEqual(envelopeViolations(stored[0]), []);
  t.not(stored[0].event_id, stored[1].event_id);
  t.true(stored[0].event_id < stored[1].event_id, 'ULIDs are monotonic within a process');
  t.is(stored[0].correlation_id, stored[1].correlation_id);
  t.true(stored[1].lamport_clock > stored[0].lamport_clock);
  t.regex(stored[0].node_id, /^[0-9a-f]{12}$/);
  t.is(stored[0].team_slug, 'local');
  t.is(stored[0].project_uuid, null);
});

test('an enrich failure marks the event degraded, logs, and the event is still persisted', async (t) => {
  const stored: Envelope[] = [];
  const calls: string[] = [];
  const broken: Plugin = {
    name: 'broken',
    apply(hooks) { hooks.enrich.tapPromise('broken', async () => { throw new Error('identity file unreadable'); }); },
  };
  const { emitter, log } = await makePipeline(
    [{ use: 'broken' }, { use: 'after' }, { use: 'store' }],
    { broken, after: enricher('after', calls, { team_slug: 'acme' }), store: memoryPersist(stored) },
  );
  const result = await emitter.emit(draft());
  t.is(result.status, 'emitted');
  t.deepEqual(result.context.degraded, ['broken: identity file unreadable']);
  t.deepEqual(calls, ['after'], 'later enrichers still run');
  t.is(stored.length, 1);
  t.is(stored[0].team_slug, 'acme');
  t.true(log.some((l) => l.includes('enrich plugin "broken" failed')));
});

test('callback-style taps get the same failure semantics', async (t) => {
  const stored: Envelope[] = [];
  const broken: Plugin = {
    name: 'cb',
    apply(hooks) { hooks.enrich.tapAsync('cb', (_e, _c, done) => done(new Error('nope'))); },
  };
  const { emitter } = await makePipeline([{ use: 'cb' }, { use: 'store' }], { cb: broken, store: memoryPersist(stored) });
  const result = await emitter.emit(draft());
  t.deepEqual(result.context.degraded, ['cb: nope']);
  t.is(stored.length, 1);
});

test('a guard bail drops the event with its reason: not persisted, reported through `dropped`', async (t) => {
  const stored: Envelope[] = [];
  const drops: DropInfo[] = [];
  const guard: Plugin = {
    name: 'no-wp01',
    apply(hooks) {
      hooks.guard.tap('no-wp01', (e) => (e.aggregate_id === 'WP01' ? 'WP01 is frozen' : undefined));
      hooks.dropped.tap('watch', (_e, drop) => { drops.push(drop); });
    },
  };
  const { emitter } = await makePipeline([{ use: 'guard' }, { use: 'store' }], { guard, store: memoryPersist(stored) });
  const dropped = await emitter.emit(draft());
  t.is(dropped.status, 'dropped');
  t.deepEqual(dropped.status === 'dropped' && dropped.drop, { plugin: 'no-wp01', reason: 'WP01 is frozen' });
  t.deepEqual(drops, [{ plugin: 'no-wp01', reason: 'WP01 is frozen' }]);
  t.is(stored.length, 0);
  const kept = await emitter.emit(draft({ aggregate_id: 'WP02', payload: { ...draft().payload, wp_id: 'WP02' } }));
  t.is(kept.status, 'emitted');
  t.is(stored.length, 1);
});

test('a guard that throws does not drop the event', async (t) => {
  const stored: Envelope[] = [];
  const guard: Plugin = {
    name: 'flaky',
    apply(hooks) { hooks.guard.tap('flaky', () => { throw new Error('boom'); }); },
  };
  const { emitter, log } = await makePipeline([{ use: 'guard' }, { use: 'store' }], { guard, store: memoryPersist(stored) });
  t.is((await emitter.emit(draft())).status, 'emitted');
  t.is(stored.length, 1);
  t.true(log.some((l) => l.includes('guard plugin "flaky" failed')));
});

test('a persist failure rejects emit, naming the plugin, and nothing downstream runs', async (t) => {
  const delivered: string[] = [];
  const emittedSeen: string[] = [];
  const failing: Plugin = {
    name: 'disk',
    apply(hooks) { hooks.persist.tapPromise('disk', async () => { throw new Error('SQLITE_FULL'); }); },
  };
  const deliverer: Plugin = {
    name: 'ws',
    apply(hooks) {
      hooks.deliver.tap('ws', (e) => { delivered.push(e.event_id); });
      hooks.emitted.tap('ws', (e) => { emittedSeen.push(e.event_id); });
    },
  };
  const { emitter } = await makePipeline([{ use: 'id' }, { use: 'disk' }, { use: 'ws' }],
    { id: enricher('id', [], { project_uuid: UUID, project_slug: 'p' }), disk: failing, ws: deliverer });
  const err = await t.throwsAsync(emitter.emit(draft()), { instanceOf: PersistError });
  t.is(err?.plugin, 'disk');
  t.regex(err!.message, /SQLITE_FULL/);
  t.deepEqual(delivered, []);
  t.deepEqual(emittedSeen, []);
});

test('with no persist plugin at all, emit rejects instead of pretending', async (t) => {
  const { emitter } = await makePipeline([{ use: 'a' }], { a: enricher('a', []) });
  await t.throwsAsync(emitter.emit(draft()), { instanceOf: PersistError, message: /no persist plugin/ });
});

test('a persist tap that runs but does not make the event durable makes emit reject: emitted means durable', async (t) => {
  const seen: string[] = [];
  const emittedSeen: string[] = [];
  const lookalike: Plugin = {
    name: 'lookalike',
    apply(hooks) {
      hooks.persist.tap('lookalike', (envelope) => { seen.push(envelope.event_id); });
      hooks.emitted.tap('lookalike', (envelope) => { emittedSeen.push(envelope.event_id); });
    },
  };
  const { emitter } = await makePipeline([{ use: 'lookalike' }], { lookalike });
  await t.throwsAsync(emitter.emit(draft()), { instanceOf: PersistError, message: /persist plugins ran \(lookalike\) but none made it durable/ });
  t.is(seen.length, 1);
  t.deepEqual(emittedSeen, []);
});

test('a deliver failure is isolated: other deliverers run and the event stays emitted', async (t) => {
  const stored: Envelope[] = [];
  const delivered: string[] = [];
  const bad: Plugin = {
    name: 'bad',
    apply(hooks) { hooks.deliver.tapPromise('bad', async () => { throw new Error('ECONNREFUSED'); }); },
  };
  const good: Plugin = {
    name: 'good',
    apply(hooks) { hooks.deliver.tapPromise('good', async (e) => { delivered.push(e.event_id); }); },
  };
  const { emitter } = await makePipeline(
    [{ use: 'id' }, { use: 'store' }, { use: 'bad' }, { use: 'good' }],
    { id: enricher('id', [], { project_uuid: UUID, project_slug: 'p' }), store: memoryPersist(stored), bad, good },
  );
  const result = await emitter.emit(draft());
  t.is(result.status, 'emitted');
  t.deepEqual(result.context.deliveryErrors, ['bad: ECONNREFUSED']);
  t.deepEqual(delivered, [stored[0].event_id]);
});

test('an event without project identity is persisted but never handed to deliverers', async (t) => {
  const stored: Envelope[] = [];
  const delivered: string[] = [];
  const ws: Plugin = { name: 'ws', apply(h) { h.deliver.tap('ws', (e) => { delivered.push(e.event_id); }); } };
  const { emitter } = await makePipeline([{ use: 'store' }, { use: 'ws' }], { store: memoryPersist(stored), ws });
  const result = await emitter.emit(draft());
  t.false(result.context.deliverable);
  t.is(stored.length, 1);
  t.deepEqual(delivered, []);
});

test('an enricher that breaks the contract is undone and marked degraded; the event still goes on', async (t) => {
  const stored: Envelope[] = [];
  const calls: string[] = [];
  const { emitter, log } = await makePipeline([{ use: 'bad' }, { use: 'good' }, { use: 'store' }], {
    bad: enricher('bad', [], { project_uuid: 'not-a-uuid', extra: 1 } as Partial<Envelope>),
    good: enricher('good', calls, { team_slug: 'acme' }),
    store: memoryPersist(stored),
  });
  const result = await emitter.emit(draft());
  t.is(result.status, 'emitted');
  t.is(result.context.degraded.length, 1);
  t.regex(result.context.degraded[0], /^bad: it broke the envelope: project_uuid .*; unknown key "extra"/);
  t.true(log.some((l) => l.includes('enrich plugin "bad" failed')));
  t.deepEqual(calls, ['good']);
  t.is(stored[0].project_uuid, null);
  t.false('extra' in stored[0]);
  t.is(stored[0].team_slug, 'acme');
});

test('an enricher may edit the envelope in place; a broken in-place edit is undone too', async (t) => {
  const stored: Envelope[] = [];
  const inPlace: Plugin = {
    name: 'in-place',
    apply(hooks) { hooks.enrich.tap('in-place', (e) => { e.project_slug = 'mutated'; return e; }); },
  };
  const breaker: Plugin = {
    name: 'breaker',
    apply(hooks) { hooks.enrich.tap('breaker', (e) => { e.team_slug = ''; return e; }); },
  };
  const { emitter } = await makePipeline([{ use: 'in-place' }, { use: 'breaker' }, { use: 'store' }], {
    'in-place': inPlace, breaker, store: memoryPersist(stored),
  });
  const result = await emitter.emit(draft());
  t.is(stored[0].project_slug, 'mutated');
  t.is(stored[0].team_slug, 'local');
  t.deepEqual(result.context.degraded, ['breaker: it broke the envelope: team_slug must be a non-empty string']);
});

test('a draft that breaks the contract itself is the command\'s bug: emit rejects with every violation', async (t) => {
  const stored: Envelope[] = [];
  const { emitter } = await makePipeline([{ use: 'a' }, { use: 'store' }], { a: enricher('a', []), store: memoryPersist(stored) });
  const err = await t.throwsAsync(emitter.emit(draft({ payload: { wp_id: 'W1' } })), { instanceOf: ContractError });
  t.true(err!.violations.some((v) => v.startsWith('payload.wp_id')));
  t.true(err!.violations.some((v) => v.startsWith('payload.new_status')));
  t.is(stored.length, 0);
});

test('a throwing observer on `emitted` is ignored', async (t) => {
  const stored: Envelope[] = [];
  const observer: Plugin = { name: 'obs', apply(h) { h.emitted.tap('obs', () => { throw new Error('x'); }); } };
  const { emitter } = await makePipeline([{ use: 'store' }, { use: 'obs' }], { store: memoryPersist(stored), obs: observer });
  t.is((await emitter.emit(draft())).status, 'emitted');
  t.is(stored.length, 1);
});

test('only a persist tap can make an event durable: an enricher that claims it does not count', async (t) => {
  const liar: Plugin = { name: 'liar', apply(h) { h.enrich.tap('liar', (e, context) => { context.durable = true; return e; }); } };
  const { emitter } = await makePipeline([{ use: 'liar' }], { liar });
  await t.throwsAsync(emitter.emit(draft()), { instanceOf: PersistError, message: /no persist plugin/ });
});

test('an async observer that rejects is logged, never an unhandled rejection', async (t) => {
  const observer: Plugin = { name: 'obs', apply(h) { h.emitted.tap('obs', async () => { throw new Error('late'); }); } };
  const { emitter, log } = await makePipeline([{ use: 'store' }, { use: 'obs' }], { store: memoryPersist([]), obs: observer });
  t.is((await emitter.emit(draft())).status, 'emitted');
  await new Promise((r) => setImmediate(r));
  t.true(log.some((l) => l.includes('emitted observer "obs" failed: late')), log.join('\n'));
});

test('once a persist plugin has made the event durable, a later persist failure only degrades it', async (t) => {
  const stored: Envelope[] = [];
  const durable: Plugin = {
    name: 'queue',
    apply(hooks) { hooks.persist.tap('queue', (e, ctx) => { stored.push(e); ctx.durable = true; }); },
  };
  const mirror: Plugin = {
    name: 'mirror',
    apply(hooks) { hooks.persist.tap('mirror', () => { throw new Error('EACCES'); }); },
  };
  const after = await makePipeline([{ use: 'queue' }, { use: 'mirror' }], { queue: durable, mirror });
  const result = await after.emitter.emit(draft());
  t.is(result.status, 'emitted', 'the event is recorded, so the command must not be told otherwise');
  t.deepEqual(result.context.degraded, ['mirror: EACCES']);
  t.is(stored.length, 1);
  t.true(after.log.some((l) => l.includes('persist plugin "mirror" failed') && l.includes('stays queued')));

  const before = await makePipeline([{ use: 'mirror' }, { use: 'queue' }], { queue: durable, mirror });
  await t.throwsAsync(before.emitter.emit(draft()), { instanceOf: PersistError });
  t.is(stored.length, 1, 'a failure before the durable write stops the event');
});

import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PersistError } from '../../../core/errors.js';
import { createLogger } from '../../../lib/logger.js';
import { testQueue } from '../../helpers/services.js';
import queuePersist from '../../../plugins/queue-persist/index.js';
import { run, workspace, wpMove, type Workspace } from '../queue-pipeline.js';

const readQueue = async (ws: Workspace) => {
  const q = testQueue(ws.home, createLogger({ write: () => {} }));
  const list = await q.list();
  q.close();
  return list.events;
};

test('a deliverable event is queued pending, durably, by the time emit resolves', async (t) => {
  const ws = workspace();
  const { emitter } = await run(ws, [{ use: 'fake-identity' }, { use: 'queue-persist', required: true }]);
  const result = await emitter.emit(wpMove('WP01', 'planned', 'doing'));
  t.is(result.status, 'emitted');
  // Read through a second connection while the emitter is still open.
  const events = await readQueue(ws);
  t.is(events.length, 1);
  t.is(events[0].state, 'pending');
  t.deepEqual(events[0].envelope, result.envelope);
  t.deepEqual(result.context.persistedBy, ['queue-persist']);
  await emitter.close();
});

test('an event without project identity is queued held', async (t) => {
  const ws = workspace();
  const { emitter } = await run(ws, [{ use: 'queue-persist', required: true }]);
  const result = await emitter.emit(wpMove('WP01', 'planned', 'doing'));
  t.false(result.context.deliverable);
  t.deepEqual((await readQueue(ws)).map((e) => e.state), ['held']);
  await emitter.close();
});

test('above the soft cap each run warns once, with the count and what to do; nothing is dropped', async (t) => {
  const ws = workspace();
  const pipeline = [{ use: 'fake-identity' }, { use: 'queue-persist', options: { softCap: 2 } }];
  const first = await run(ws, pipeline);
  for (const wp of ['WP01', 'WP02', 'WP03', 'WP04']) await first.emitter.emit(wpMove(wp, 'planned', 'doing'));
  await first.emitter.close();
  const warnings = first.log.filter((l) => l.startsWith('warning:'));
  t.is(warnings.length, 1, first.log.join('\n'));
  t.regex(warnings[0], /3 events are waiting in the offline queue \(soft cap 2\)/);
  t.regex(warnings[0], /spec-kitty sync status.*spec-kitty sync queue/);

  const second = await run(ws, pipeline);
  await second.emitter.emit(wpMove('WP05', 'planned', 'doing'));
  await second.emitter.close();
  t.regex(second.log.filter((l) => l.startsWith('warning:')).join('\n'), /5 events are waiting/, 'a later run warns again');
  t.is((await readQueue(ws)).length, 5);
});

test('under the soft cap, and for held events, there is no warning', async (t) => {
  const ws = workspace();
  const { emitter, log } = await run(ws, [{ use: 'queue-persist', options: { softCap: 1 } }]);
  for (const wp of ['WP01', 'WP02', 'WP03']) await emitter.emit(wpMove(wp, 'planned', 'doing'));
  await emitter.close();
  t.deepEqual(log.filter((l) => l.startsWith('warning:')), []);
});

test('a queue that cannot be written makes emit reject: the event is not reported as emitted', async (t) => {
  const ws = workspace();
  // A folder where the database file should be: nothing can open or move it aside.
  mkdirSync(join(ws.home, 'queue.db'), { recursive: true });
  const { emitter } = await run(ws, [{ use: 'fake-identity' }, { use: 'queue-persist', required: true }]);
  const error = await t.throwsAsync(emitter.emit(wpMove('WP01', 'planned', 'doing')));
  t.true(error instanceof PersistError);
  // The machine clock shares the file, so the first thing to find it unusable is the clock tick.
  t.regex(error!.message, /event not queued: .*queue\.db/);
  await emitter.close();
});

test('a corrupt queue.db does not stop the command: the event is queued in a new file', async (t) => {
  const ws = workspace();
  mkdirSync(ws.home, { recursive: true });
  writeFileSync(join(ws.home, 'queue.db'), Buffer.alloc(8192, 0x5a));
  const { emitter, log } = await run(ws, [{ use: 'fake-identity' }, { use: 'queue-persist', required: true }]);
  const result = await emitter.emit(wpMove('WP01', 'planned', 'doing'));
  await emitter.close();
  t.is(result.status, 'emitted');
  t.regex(log.join('\n'), /moved aside to .*queue\.db\.corrupt-/);
  t.deepEqual((await readQueue(ws)).map((e) => e.event_id), [result.envelope.event_id]);
});

test('options are validated up front, naming the bad option', (t) => {
  const validate = queuePersist.validateOptions!;
  t.deepEqual(validate({}), { softCap: 100_000, retentionDays: 7 });
  t.deepEqual(validate({ softCap: 10, retentionDays: 1 }), { softCap: 10, retentionDays: 1 });
  t.throws(() => validate({ softCap: -1 }), { message: /option "softCap" must be a number ≥ 0/ });
  t.throws(() => validate({ retentionDays: 'week' }), { message: /option "retentionDays"/ });
  t.throws(() => validate({ softcap: 5 }), { message: /unknown option "softcap"/ });
  t.not(queuePersist.implemented, false);
});

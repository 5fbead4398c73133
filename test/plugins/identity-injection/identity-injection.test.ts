import test from 'ava';
import { rebindServices, testQueue } from '../../helpers/services.js';
import { envelope } from '../../helpers/envelope.js';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILTIN_PLUGINS } from '../../../cli/builtins.js';
import { machineNodeId } from '../../../services/clock/node-id.js';
import { createEmitter } from '../../../cli/composition-root.js';
import { envelopeViolations } from '../../../contract/index.js';
import type { IdentityService, ProjectIdentity } from '../../../core/services.js';
import plugin, { MISSING_IDENTITY } from '../../../plugins/identity-injection/index.js';
import { tempDir } from '../../helpers/cli.js';
import { captureLogger, makeProject, memoryQueue } from '../../helpers/identity.js';
import { draft } from '../../helpers/pipeline.js';

const UUID = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const OTHER_NODE = '0a1b2c3d4e5f';
// A second, different event: dedupe-guard drops an identical one within a command run.
const wp02 = draft({ aggregate_id: 'WP02', payload: { ...draft().payload, wp_id: 'WP02' } });

async function emitterIn(cwd: string, services: { identity?: IdentityService } = {}) {
  const { queue, stored } = memoryQueue();
  const { logger, lines } = captureLogger();
  const emitter = await createEmitter({ builtins: BUILTIN_PLUGINS, cwd, home: join(tempDir(), 'home'), logger, rebind: rebindServices({ queue, ...services }) });
  return { emitter, stored, lines };
}

test('events carry the project identity, this machine\'s node_id and clock, and satisfy the contract', async (t) => {
  const root = makeProject({ config: `project:\n  uuid: ${UUID}\n  slug: shop\n  node_id: ${OTHER_NODE}\n` });
  const sub = join(root, 'src');
  mkdirSync(sub);
  const { emitter, stored } = await emitterIn(sub);
  const first = await emitter.emit(draft());
  const second = await emitter.emit(wp02);
  await emitter.close();
  for (const result of [first, second]) {
    t.deepEqual(envelopeViolations(result.envelope), []);
    t.like(result.envelope, { project_uuid: UUID, project_slug: 'shop', team_slug: 'local', node_id: machineNodeId() });
    t.true(result.context.deliverable);
  }
  t.not(machineNodeId(), OTHER_NODE, 'the committed node_id differs from this machine');
  t.true(second.envelope.lamport_clock > first.envelope.lamport_clock);
  t.true(first.envelope.lamport_clock >= 1);
  t.deepEqual(stored.map((s) => s.state), ['pending', 'pending']);
});

test('a project without identity is backfilled on the first event and the file says the same', async (t) => {
  const root = makeProject({ name: 'Fresh Project' });
  const { emitter } = await emitterIn(root);
  const { envelope } = await emitter.emit(draft());
  await emitter.close();
  t.regex(envelope.project_uuid!, /^[0-9a-f-]{36}$/);
  t.is(envelope.project_slug, 'fresh-project');
  t.true(readFileSync(join(root, '.kittify', 'config.yaml'), 'utf8').includes(envelope.project_uuid!));
});

test('outside any project: null identity, one warning for the run, not deliverable, still queued (held)', async (t) => {
  const { emitter, stored, lines } = await emitterIn(tempDir());
  const results = [await emitter.emit(draft()), await emitter.emit(wp02)];
  await emitter.close();
  for (const r of results) {
    t.is(r.envelope.project_uuid, null);
    t.is(r.envelope.project_slug, null);
    t.false(r.context.deliverable);
    t.deepEqual(envelopeViolations(r.envelope), []);
  }
  t.deepEqual(lines.filter((l) => l.includes(MISSING_IDENTITY)), [`warning: ${MISSING_IDENTITY}`]);
  t.deepEqual(stored.map((s) => s.state), ['held', 'held']);
});

test('identity is resolved once per emitter, however many events', async (t) => {
  let calls = 0;
  const identity: IdentityService = {
    async resolve(): Promise<ProjectIdentity> {
      calls += 1;
      return { project_uuid: UUID, project_slug: 'x', node_id: OTHER_NODE, root: '/x', persisted: true };
    },
    projectRootOf: () => '/x',
  };
  const { emitter } = await emitterIn(tempDir(), { identity });
  for (let i = 1; i <= 5; i += 1) {
    const wp = `WP0${i}`;
    t.is((await emitter.emit(draft({ aggregate_id: wp, payload: { ...draft().payload, wp_id: wp } }))).envelope.project_uuid, UUID);
  }
  await emitter.close();
  t.is(calls, 1);
});

test('an identity service that fails marks the event degraded; it is still queued, held', async (t) => {
  const identity: IdentityService = { resolve: () => Promise.reject(new Error('disk on fire')), projectRootOf: () => null };
  const { emitter, stored, lines } = await emitterIn(tempDir(), { identity });
  const { envelope, context } = await emitter.emit(draft());
  await emitter.close();
  t.is(envelope.project_uuid, null);
  t.deepEqual(context.degraded, ['identity-injection: disk on fire']);
  t.deepEqual(stored.map((s) => s.state), ['held']);
  t.true(lines.some((l) => l.includes('disk on fire')));
});

test('the plugin is implemented and takes no options', (t) => {
  t.not(plugin.implemented, false);
  t.deepEqual(plugin.validateOptions!({}), {});
  t.throws(() => plugin.validateOptions!({ file: 'x' }), { message: /unknown option "file"/ });
});

test('a read-only project still emits, with the stable derived identity', async (t) => {
  const root = makeProject({ config: '' });
  writeFileSync(join(root, '.kittify', 'config.yaml'), 'sync: {}\n');
  chmodSync(join(root, '.kittify', 'config.yaml'), 0o444);
  const runs = [];
  for (let i = 0; i < 2; i += 1) {
    const { emitter, lines } = await emitterIn(root);
    runs.push({ envelope: (await emitter.emit(draft())).envelope, lines });
    await emitter.close();
  }
  t.is(runs[0].envelope.project_uuid, runs[1].envelope.project_uuid);
  t.regex(runs[0].envelope.project_uuid!, /^[0-9a-f-]{36}$/);
  t.is(runs[0].lines.filter((l) => l.includes('cannot save the project identity')).length, 1);
});

test('the first event with an identity adopts what was held in the project before: stamped and pending', async (t) => {
  const root = makeProject({ config: `project:\n  uuid: ${UUID}\n  slug: shop\n  node_id: ${OTHER_NODE}\n` });
  const home = join(tempDir(), 'home');
  const before = testQueue(home, undefined, join(root, 'src'));
  const heldEnvelope = envelope({ project_uuid: null, project_slug: null });
  await before.enqueue(heldEnvelope, 'held');
  before.close();

  const { logger, lines } = captureLogger();
  const emitter = await createEmitter({ builtins: BUILTIN_PLUGINS, cwd: root, home, logger });
  await emitter.emit(draft());
  await emitter.close();
  const after = testQueue(home);
  const row = (await after.list()).events.find((e) => e.event_id === heldEnvelope.event_id)!;
  after.close();
  t.like(row, { state: 'pending', origin: null });
  t.like(row.envelope, { project_uuid: UUID, project_slug: 'shop' });
  t.true(lines.some((l) => l.includes('1 held event(s) from this project now carry its identity (shop)')));
});

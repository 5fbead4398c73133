import test from 'ava';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { MachineClock } from '../../../core/services.js';
import { machineNodeId } from '../../../services/clock/node-id.js';
import { ConfigIdentityService } from '../../../services/identity/identity-service.js';
import { nameUuid } from '../../../services/identity/name-uuid.js';
import { resolveIdentity, resolveIdentityAt } from '../../../services/identity/resolve-identity.js';
import { tempDir } from '../../helpers/cli.js';
import { captureLogger, makeProject } from '../../helpers/identity.js';

const UUID = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const configOf = (root: string) => join(root, '.kittify', 'config.yaml');
const read = (root: string) => readFileSync(configOf(root), 'utf8');


const thisMachine: MachineClock = { nodeId: machineNodeId(), tick: () => 1, witness: () => 1 };
test('a project without config.yaml gets one: the derived uuid, slug, this machine as node_id, a commented header', async (t) => {
  const root = makeProject({ name: 'fresh' });
  const { identity, wrote } = await resolveIdentityAt(root, captureLogger());
  t.is(wrote, 'created');
  // Outside git, the uuid a read-only checkout would use: derived from the real path.
  t.is(identity.project_uuid, nameUuid(`spec-kitty project path ${root}`));
  t.deepEqual(identity, { project_uuid: identity.project_uuid, project_slug: 'fresh', node_id: machineNodeId(), root, persisted: true });
  const text = read(root);
  t.regex(text, /^# spec-kitty project settings/);
  t.deepEqual(parse(text), { project: { uuid: identity.project_uuid, slug: 'fresh', node_id: machineNodeId() } });
});

test('backfill keeps every other key, every comment and the fields already set', async (t) => {
  const original = [
    '# Team settings — do not remove this comment',
    'sync:',
    '  auto_start: false   # we sync by hand',
    'project:',
    '  slug: hand-picked   # chosen by us',
    '  # the uuid goes here',
    'extra:',
    '  - keep',
    '  - "these"',
    '',
  ].join('\n');
  const root = makeProject({ config: original });
  const { identity, wrote } = await resolveIdentityAt(root, captureLogger());
  t.is(wrote, 'updated');
  t.is(identity.project_slug, 'hand-picked');
  const text = read(root);
  // Byte for byte, plus the two missing lines after the block's last entry.
  const lines = original.split('\n');
  lines.splice(5, 0, `  uuid: ${identity.project_uuid}`, `  node_id: ${machineNodeId()}`);
  t.is(text, lines.join('\n'));
  t.deepEqual(parse(text), {
    sync: { auto_start: false },
    project: { slug: 'hand-picked', uuid: identity.project_uuid, node_id: machineNodeId() },
    extra: ['keep', 'these'],
  });
});

test('an existing uuid is never replaced, and a complete file is not rewritten', async (t) => {
  const root = makeProject({ config: `project:\n  uuid: ${UUID}\n` });
  const first = await resolveIdentityAt(root, captureLogger());
  t.is(first.identity.project_uuid, UUID);
  t.is(first.wrote, 'updated');
  const before = statSync(configOf(root));
  const text = read(root);
  const second = await resolveIdentityAt(root, captureLogger());
  t.is(second.wrote, null);
  t.deepEqual(second.identity, first.identity);
  t.is(read(root), text);
  t.is(statSync(configOf(root)).ino, before.ino);
});

test('a committed node_id is kept (informational; events carry the emitting machine id, see the plugin tests)', async (t) => {
  const root = makeProject({ config: `project:\n  uuid: ${UUID}\n  slug: x\n  node_id: 0a1b2c3d4e5f\n` });
  const { identity } = await resolveIdentityAt(root, captureLogger());
  t.is(identity.node_id, '0a1b2c3d4e5f');
});

test('the project root is found by walking up; config.yaml is written there, not in the current folder', async (t) => {
  const root = makeProject();
  const deep = join(root, 'src', 'deep');
  mkdirSync(deep, { recursive: true });
  const outcome = await resolveIdentity(deep, captureLogger());
  t.is(outcome?.identity.root, root);
  t.deepEqual(readdirSync(deep), []);
  t.is(parse(read(root)).project.uuid, outcome?.identity.project_uuid);
});

test('outside any project there is no identity', async (t) => {
  t.is(await resolveIdentity(tempDir(), captureLogger()), null);
  const service = new ConfigIdentityService({ cwd: tempDir(), home: tempDir(), verbose: false }, captureLogger().logger, thisMachine);
  t.is(await service.resolve(), null);
});

test('the service resolves once per process and caches the identity', async (t) => {
  const root = makeProject();
  const service = new ConfigIdentityService({ cwd: root, home: tempDir(), verbose: false }, captureLogger().logger, thisMachine);
  const first = await service.resolve();
  rmSync(configOf(root));
  const second = await service.resolve();
  t.deepEqual(second, first);
  t.throws(() => statSync(configOf(root)), { code: 'ENOENT' });
});

test('writes leave no temp or lock files behind', async (t) => {
  const root = makeProject({ config: 'sync: {auto_start: true}\n' });
  await resolveIdentityAt(root, captureLogger());
  t.deepEqual(readdirSync(join(root, '.kittify')), ['config.yaml']);
});

test('an existing file keeps its permissions when rewritten', async (t) => {
  const root = makeProject({ config: '# mine\n' });
  const file = configOf(root);
  writeFileSync(file, '# mine\n', { mode: 0o640 });
  chmodSync(file, 0o640);
  await resolveIdentityAt(root, captureLogger());
  t.is(statSync(file).mode & 0o777, 0o640);
});

import test from 'ava';
import { machineNodeId } from '../../../services/clock/node-id.js';
import { execFileSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { nameUuid } from '../../../services/identity/name-uuid.js';
import { resolveIdentityAt } from '../../../services/identity/resolve-identity.js';
import { REPO_ROOT } from '../../helpers/cli.js';
import { captureLogger, makeProject, runScript } from '../../helpers/identity.js';

const UUID = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const UUID_FORMAT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const kittify = (root: string) => join(root, '.kittify');
const configOf = (root: string) => join(kittify(root), 'config.yaml');
const isRoot = process.getuid?.() === 0;

/** One `resolve` in a fresh child process: a "run" of spec-kitty. */
async function run(root: string, as: { uid?: number; gid?: number } = {}) {
  const { code, result, stderr } = await runScript('test/services/identity/fixtures/resolve.ts', [root], {}, as).done;
  if (code !== 0) throw new Error(`resolve exited ${code}: ${stderr}`);
  return { identity: result.identity, stderr };
}

function snapshot(root: string) {
  return { files: readdirSync(kittify(root)).sort(), text: readFileSync(configOf(root), 'utf8') };
}

/** Two runs on a read-only checkout: same derived identity, one warning each, nothing written. */
async function assertStableReadOnly(t: any, root: string, as: { uid?: number; gid?: number } = {}) {
  const before = snapshot(root);
  const first = await run(root, as);
  const second = await run(root, as);
  t.false(first.identity.persisted);
  t.regex(first.identity.project_uuid, UUID_FORMAT);
  t.deepEqual(second.identity, first.identity);
  for (const { stderr } of [first, second]) {
    const lines = stderr.trim().split('\n');
    t.is(lines.length, 1, stderr);
    t.regex(lines[0], /^warning: cannot save the project identity: .*the same on every run.*run "spec-kitty init" to save it/);
  }
  t.deepEqual(snapshot(root), before, 'the file and the folder are untouched');
  return first.identity;
}

test('read-only .kittify/ (0555) and file (0444): stable in-memory identity across runs, file untouched', async (t) => {
  const origin = 'git@github.com:acme/read-only-repo.git';
  const root = makeProject({ origin, config: '# ours\nsync:\n  auto_start: true\n' });
  chmodSync(configOf(root), 0o444);
  chmodSync(kittify(root), 0o555);
  t.teardown(() => chmodSync(kittify(root), 0o755));
  const identity = await assertStableReadOnly(t, root);
  t.is(identity.project_uuid, nameUuid('spec-kitty project origin github.com/acme/read-only-repo'));
  t.is(identity.project_slug, 'read-only-repo');
});

test('read-only: a uuid already in the file is used; without an origin the uuid derives from the path', async (t) => {
  const withUuid = makeProject({ config: `project:\n  uuid: ${UUID}\n` });
  chmodSync(configOf(withUuid), 0o444);
  t.is((await resolveIdentityAt(withUuid, captureLogger())).identity.project_uuid, UUID);

  const a = makeProject({ config: '' });
  const b = makeProject({ config: '' });
  for (const root of [a, b]) chmodSync(kittify(root), 0o555);
  t.teardown(() => [a, b].forEach((root) => chmodSync(kittify(root), 0o755)));
  const ia = (await resolveIdentityAt(a, captureLogger())).identity;
  const ib = (await resolveIdentityAt(b, captureLogger())).identity;
  t.is(ia.project_uuid, nameUuid(`spec-kitty project path ${a}`));
  t.not(ia.project_uuid, ib.project_uuid, 'two checkouts do not share a derived uuid');
});

test('read-only and corrupt: the line/column warning, a salvaged uuid, and the file left as it is', async (t) => {
  const broken = `project:\n  uuid: ${UUID}\n  slug: [\n`;
  const root = makeProject({ config: broken });
  chmodSync(kittify(root), 0o555);
  t.teardown(() => chmodSync(kittify(root), 0o755));
  const { logger, lines } = captureLogger();
  const { identity } = await resolveIdentityAt(root, { logger, nodeId: () => machineNodeId() });
  t.is(identity.project_uuid, UUID);
  t.false(identity.persisted);
  t.regex(lines[0], /^warning: .*config\.yaml:4:1: not valid YAML \(.+\); it is left as it is\.$/);
  t.is(readFileSync(configOf(root), 'utf8'), broken);
  t.deepEqual(readdirSync(kittify(root)), ['config.yaml']);
});

test('a write that fails with EROFS (read-only mount) falls back to the in-memory identity', async (t) => {
  const root = makeProject({ config: 'sync: {auto_start: true}\n' });
  const { logger, lines } = captureLogger();
  const writeFile = () => { throw Object.assign(new Error('EROFS: read-only file system, open'), { code: 'EROFS' }); };
  const { identity } = await resolveIdentityAt(root, { logger, writeFile, nodeId: () => machineNodeId() });
  t.false(identity.persisted);
  t.is(identity.project_uuid, nameUuid(`spec-kitty project path ${root}`));
  t.regex(lines[0], /cannot save the project identity: EROFS/);
  t.is(readFileSync(configOf(root), 'utf8'), 'sync: {auto_start: true}\n');
});

// The next two make the write fail for real, the way a user's checkout would, despite running as root.
const NOBODY = 65534;
function nobodyCanRunTheSources(): boolean {
  try {
    execFileSync(process.execPath, ['--import', 'tsx', '-e', '0'], { cwd: REPO_ROOT, uid: NOBODY, gid: NOBODY, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test('not writable for the user (run as uid 65534, EACCES): stable in-memory identity across runs', async (t) => {
  if (!isRoot) {
    t.pass('needs root to start a process as another user; the 0555/0444 test covers a non-root user');
    return;
  }
  if (!nobodyCanRunTheSources()) {
    t.pass(`uid ${NOBODY} cannot read this checkout (${REPO_ROOT}); the chattr and 0555 tests cover read-only checkouts`);
    return;
  }
  const root = makeProject({ config: 'sync:\n  auto_start: true\n' });
  // Readable and traversable by everyone, writable only by root (write bits set, so only EACCES stops it).
  chmodSync(dirname(root), 0o755);
  const identity = await assertStableReadOnly(t, root, { uid: NOBODY, gid: NOBODY });
  t.is(identity.project_uuid, nameUuid(`spec-kitty project path ${root}`));
});

test('immutable .kittify/ (chattr +i, EPERM even for root): stable in-memory identity across runs', async (t) => {
  const root = makeProject({ config: 'sync:\n  auto_start: true\n' });
  try {
    execFileSync('chattr', ['+i', kittify(root)], { stdio: 'ignore' });
  } catch {
    t.pass('chattr +i is not available on this file system; the uid 65534 and 0555 tests cover read-only checkouts');
    return;
  }
  t.teardown(() => execFileSync('chattr', ['-i', kittify(root)], { stdio: 'ignore' }));
  await assertStableReadOnly(t, root);
});

test('the read-only uuid is the one a later save writes (as root: 0555, then writable)', async (t) => {
  const root = makeProject({ origin: 'git@github.com:acme/later-saved.git', config: '# ours\n' });
  chmodSync(kittify(root), 0o555);
  const readOnly = await run(root);
  chmodSync(kittify(root), 0o755);
  t.false(readOnly.identity.persisted);
  t.is(readOnly.identity.project_uuid, nameUuid('spec-kitty project origin github.com/acme/later-saved'));
  const saved = await resolveIdentityAt(root, captureLogger());
  t.is(saved.wrote, 'updated');
  t.true(saved.identity.persisted);
  t.is(saved.identity.project_uuid, readOnly.identity.project_uuid);
  t.is(readFileSync(configOf(root), 'utf8'), `# ours\nproject:\n  uuid: ${readOnly.identity.project_uuid}\n  slug: later-saved\n  node_id: ${machineNodeId()}\n`);
});

test('another user (uid 65534) of a repository owned by root derives the uuid root derives and saves', async (t) => {
  if (!isRoot) {
    t.pass('needs root to start a process as another user; the 0555 test above covers one user');
    return;
  }
  if (!nobodyCanRunTheSources()) {
    t.pass(`uid ${NOBODY} cannot read this checkout (${REPO_ROOT}); the 0555 test above covers one user`);
    return;
  }
  const root = makeProject({ origin: 'https://github.com/acme/Shared-Repo.git', config: 'sync:\n  auto_start: true\n' });
  chmodSync(dirname(root), 0o755);
  // What made the uuids differ before: git will not read a repository another user owns.
  try {
    execFileSync('git', ['remote', 'get-url', 'origin'], { cwd: root, uid: NOBODY, gid: NOBODY, stdio: 'pipe', env: { PATH: process.env.PATH, HOME: '/nonexistent' } });
    t.log('git answered for uid 65534 here (safe.directory allows it); the uuid must match all the same');
  } catch (err) {
    t.log(`git refuses for uid 65534: ${String((err as { stderr?: Buffer }).stderr ?? '').trim().split('\n')[0]}`);
  }
  const other = await run(root, { uid: NOBODY, gid: NOBODY });
  t.false(other.identity.persisted);
  t.regex(other.stderr, /cannot save the project identity: .*EACCES/);

  chmodSync(kittify(root), 0o555);
  const owner = await run(root);
  chmodSync(kittify(root), 0o755);
  t.false(owner.identity.persisted);

  const saved = await resolveIdentityAt(root, captureLogger());
  t.true(saved.identity.persisted);
  const expected = nameUuid('spec-kitty project origin github.com/acme/Shared-Repo');
  t.deepEqual([other.identity.project_uuid, owner.identity.project_uuid, saved.identity.project_uuid], [expected, expected, expected]);
  t.is(other.identity.project_slug, saved.identity.project_slug);
});

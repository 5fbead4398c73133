import test from 'ava';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { saveCredentials } from '../../services/auth/credentials-store.js';
import { machineNodeId } from '../../services/clock/node-id.js';
import { nameUuid } from '../../services/identity/name-uuid.js';
import { envelopeViolations } from '../../contract/index.js';
import { runCli, runJson, spawnCli, tempDir } from '../helpers/cli.js';
import { makeGitRepo } from '../helpers/git.js';

const homeOf = () => join(tempDir('sk-home-'), 'home');
const configOf = (root: string) => parse(readFileSync(join(root, '.kittify', 'config.yaml'), 'utf8'));

test('init creates the identity, kitty-specs/ and .gitignore entries, and emits nothing', async (t) => {
  const root = makeGitRepo({ origin: 'git@github.com:acme/Web_Shop.git' });
  const home = homeOf();
  const out = await runJson(['init', '--json'], { cwd: root, home });
  t.deepEqual(out, {
    root, project_uuid: out.project_uuid, project_slug: 'web-shop',
    created: ['.kittify/', '.kittify/config.yaml', 'kitty-specs/', '.gitignore'], updated: [], unchanged: [], adopted_held_events: 0,
  });
  // Derived from the canonical origin: the uuid a read-only checkout of it uses (issue 11).
  t.is(out.project_uuid, nameUuid('spec-kitty project origin github.com/acme/Web_Shop'));
  t.deepEqual(configOf(root), { project: { uuid: out.project_uuid, slug: 'web-shop', node_id: machineNodeId() } });
  t.regex(readFileSync(join(root, '.kittify', 'config.yaml'), 'utf8'), /^# spec-kitty project settings/);
  t.true(existsSync(join(root, 'kitty-specs')));
  const ignore = readFileSync(join(root, '.gitignore'), 'utf8');
  for (const entry of ['.kittify/*.lock', '.kittify/*.corrupt-*', '.kittify/.*.tmp', 'kitty-specs/**/.*.tmp', 'kitty-specs/**/*.lock']) t.true(ignore.split('\n').includes(entry));
  t.false(existsSync(home), 'no event, no queue, no clock');
});

test('init run again changes nothing and says so', async (t) => {
  const root = makeGitRepo();
  const home = homeOf();
  const first = await runJson(['init', '--json'], { cwd: root, home });
  const files = () => ['.gitignore', '.kittify/config.yaml'].map((f) => readFileSync(join(root, f), 'utf8'));
  const before = files();
  const again = await runJson(['init', '--json'], { cwd: root, home });
  t.is(again.project_uuid, first.project_uuid);
  t.deepEqual(again.created, []);
  t.deepEqual(again.updated, []);
  t.deepEqual(again.unchanged, ['.kittify/', '.kittify/config.yaml', 'kitty-specs/', '.gitignore']);
  t.deepEqual(files(), before);
  const text = await runCli(['init'], { cwd: root, home });
  t.is(text.code, 0);
  t.regex(text.stdout, /is already initialized in .*; nothing changed\./);
});

test('init keeps an existing .gitignore and config.yaml, adding only what is missing', async (t) => {
  const root = makeGitRepo({ name: 'kept' });
  writeFileSync(join(root, '.gitignore'), 'node_modules/\n.kittify/*.lock\ndist');
  mkdirSync(join(root, '.kittify'));
  writeFileSync(join(root, '.kittify', 'config.yaml'), '# ours\nsync:\n  auto_start: false # by hand\n');
  const out = await runJson(['init', '--json'], { cwd: root, home: homeOf() });
  t.deepEqual(out.updated, ['.kittify/config.yaml', '.gitignore']);
  t.deepEqual(out.unchanged, ['.kittify/']);
  const ignore = readFileSync(join(root, '.gitignore'), 'utf8').split('\n');
  t.deepEqual(ignore.slice(0, 3), ['node_modules/', '.kittify/*.lock', 'dist']);
  t.is(ignore.filter((l) => l === '.kittify/*.lock').length, 1);
  t.true(ignore.includes('.kittify/*.corrupt-*'));
  const text = readFileSync(join(root, '.kittify', 'config.yaml'), 'utf8');
  t.true(text.startsWith('# ours\n'));
  t.true(text.includes('# by hand'));
  t.is(configOf(root).sync.auto_start, false);
});

test('init [dir] creates the folder; init without a folder from inside a project finds its root', async (t) => {
  const parent = tempDir();
  const home = homeOf();
  const out = await runJson(['init', 'new-project', '--json'], { cwd: parent, home });
  const root = join(parent, 'new-project');
  t.is(out.root, root);
  t.is(out.project_slug, 'new-project');
  const sub = join(root, 'kitty-specs');
  const again = await runJson(['init', '--json'], { cwd: sub, home });
  t.is(again.root, root);
  t.is(again.project_uuid, out.project_uuid);
  t.deepEqual(readdirSync(sub), []);
});

test('8 × init started at once on a project without identity end with one uuid', async (t) => {
  const root = makeGitRepo({ origin: 'https://github.com/acme/raced-init.git' });
  const home = homeOf();
  const outs = await Promise.all(Array.from({ length: 8 }, () => new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawnCli(['init', '--json'], { cwd: root, home });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  })));
  for (const o of outs) t.is(o.code, 0, o.stderr);
  const uuids = new Set(outs.map((o) => JSON.parse(o.stdout).project_uuid));
  t.deepEqual([...uuids], [configOf(root).project.uuid]);
  t.is(outs.filter((o) => JSON.parse(o.stdout).created.includes('.kittify/config.yaml')).length, 1, 'exactly one process created it');
  const ignore = readFileSync(join(root, '.gitignore'), 'utf8').split('\n');
  t.is(ignore.filter((l) => l === '.kittify/*.lock').length, 1, '.gitignore entries added once');
  t.deepEqual(readdirSync(join(root, '.kittify')), ['config.yaml']);
});

test('init on a read-only .kittify/ fails with a clear message and no stack trace', async (t) => {
  const root = makeGitRepo();
  mkdirSync(join(root, '.kittify'), { mode: 0o555 });
  chmodSync(join(root, '.kittify'), 0o555);
  t.teardown(() => chmodSync(join(root, '.kittify'), 0o755));
  const r = await runCli(['init'], { cwd: root, home: homeOf() });
  t.is(r.code, 1);
  t.regex(r.stderr, /warning: cannot save the project identity/);
  t.regex(r.stderr, /error: the project identity could not be saved/);
  t.notRegex(r.stderr, /\n\s+at /);
  t.false(existsSync(join(root, '.kittify', 'config.yaml')));
});

test('a read-only checkout uses the uuid that init saves once it can write', async (t) => {
  const root = makeGitRepo({ origin: 'git@github.com:acme/later.git' });
  const home = homeOf();
  mkdirSync(join(root, '.kittify'));
  chmodSync(join(root, '.kittify'), 0o555);
  t.teardown(() => chmodSync(join(root, '.kittify'), 0o755));
  const created = await runCli(['feature', 'create', 'Checkout'], { cwd: root, home });
  t.is(created.code, 0, created.stderr);
  const { events } = await runJson(['sync', 'queue', '--json'], { cwd: root, home });
  const readOnlyUuid = events[0].envelope.project_uuid;
  t.is(readOnlyUuid, nameUuid('spec-kitty project origin github.com/acme/later'));
  chmodSync(join(root, '.kittify'), 0o755);
  const out = await runJson(['init', '--json'], { cwd: root, home });
  t.is(out.project_uuid, readOnlyUuid, 'one uuid for the events before and after init');
  t.is(configOf(root).project.uuid, readOnlyUuid);
});

test('init where .kittify/config.yaml is a directory: says so with the file, exits 1, leaves the folder alone', async (t) => {
  const root = makeGitRepo();
  mkdirSync(join(root, '.kittify', 'config.yaml'), { recursive: true });
  writeFileSync(join(root, '.kittify', 'config.yaml', 'mine.txt'), 'keep');
  const r = await runCli(['init'], { cwd: root, home: homeOf() });
  t.is(r.code, 1);
  t.true(r.stderr.includes(`${join(root, '.kittify', 'config.yaml')} is a directory, not a file`), r.stderr);
  t.regex(r.stderr, /move that folder out of the way .* run "spec-kitty init"/);
  t.notRegex(r.stderr, /\n\s+at /);
  t.deepEqual(readdirSync(join(root, '.kittify', 'config.yaml')), ['mine.txt']);
});

test('init --help shows examples', async (t) => {
  const r = await runCli(['init', '--help'], { cwd: tempDir(), home: homeOf() });
  t.is(r.code, 0);
  t.regex(r.stdout, /Usage: spec-kitty init \[options\] \[dir\]/);
  t.regex(r.stdout, /Examples:\n\s+\$ spec-kitty init/);
});

test('events emitted by the CLI carry identity, node_id, lamport_clock and the logged-in team', async (t) => {
  const root = makeGitRepo({ origin: 'git@github.com:acme/stamped.git' });
  const home = homeOf();
  const { project_uuid } = await runJson(['init', '--json'], { cwd: root, home });
  await saveCredentials(home, { hub_url: 'https://hub.example.com', username: 'ada', team_slug: 'acme', access_token: 'a', refresh_token: 'r' });
  for (const name of ['Checkout', 'Payments']) {
    const r = await runCli(['feature', 'create', name], { cwd: root, home });
    t.is(r.code, 0, r.stderr);
  }
  const { events } = await runJson(['sync', 'queue', '--json'], { cwd: root, home });
  t.is(events.length, 2);
  for (const { envelope, state } of events) {
    t.deepEqual(envelopeViolations(envelope), []);
    t.like(envelope, { project_uuid, project_slug: 'stamped', team_slug: 'acme', node_id: machineNodeId() });
    t.is(state, 'pending');
  }
  t.true(events[1].envelope.lamport_clock > events[0].envelope.lamport_clock);
});

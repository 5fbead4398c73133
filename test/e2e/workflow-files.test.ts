import test from 'ava';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from '../helpers/cli.js';
import { git } from '../helpers/git.js';
import { initRepo, summary } from './workflow-helpers.js';

// A hand-written spec-kitty 0.11 WP: keys spec-kitty does not know, comments, quoting, a history list.
const LEGACY = `---
work_package_id: "WP01"   # do not renumber
subtasks: ["T001", "T002"]
title: "Cart model"
phase: "Phase 1"
lane: "planned"
reviewer_notes: |
  keep this block
  exactly as it is
custom_owner: {team: payments, pager: true}
history:
  - timestamp: "2025-11-10T09:00:00Z"
    lane: "planned"
    agent: "system"
---
# Work Package Prompt: WP01 – Cart model

Some *body* text.

## Activity Log

- 2025-11-10T09:00:00Z – system – lane=planned – Prompt created.
`;

test('a frontmatter with unknown keys and comments survives a move: only the lane and one log line change', async (t) => {
  const p = await initRepo();
  await p.ok('feature', 'create', 'Shop');
  const path = join(p.tasks('001-shop'), 'WP01-cart-model.md');
  writeFileSync(path, LEGACY);
  await p.ok('implement', 'WP01');
  const after = readFileSync(path, 'utf8');
  const expectedStart = LEGACY.replace('lane: "planned"\n', 'lane: "doing"\n');
  t.true(after.startsWith(expectedStart), after);
  t.regex(after.slice(expectedStart.length), /^- \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ – Test User – lane=doing – Started implementation\n$/);
  t.deepEqual(summary((await p.events()).filter((r) => r.envelope.event_type === 'WPStatusChanged')), ['WPStatusChanged WP01 planned→doing']);
});

test('a broken WP file gives an error naming the file and line, exit 1, and nothing is emitted', async (t) => {
  const p = await initRepo();
  await p.ok('feature', 'create', 'Shop');
  await p.ok('wp', 'add', '1', 'Good');
  await p.ok('implement', 'WP01');
  await p.ok('review', 'WP01');
  const broken = '---\nwork_package_id: WP02\ntitle: "unterminated\nlane: for_review\n---\nbody\n';
  writeFileSync(join(p.tasks('001-shop'), 'WP02-bad.md'), broken);
  const before = (await p.events()).length;

  const implement = await p.run('implement', 'WP02');
  t.is(implement.code, 1);
  t.regex(implement.stderr, /kitty-specs\/001-shop\/tasks\/WP02-bad\.md:\d+(:\d+)?: invalid YAML frontmatter/);
  t.notRegex(implement.stderr, /    at /, 'no stack trace');

  // accept reads every file first: the good WP in for_review is not moved either.
  const accept = await p.run('accept');
  t.is(accept.code, 1);
  t.regex(accept.stderr, /WP02-bad\.md:\d+/);
  t.regex(readFileSync(join(p.tasks('001-shop'), 'WP01-good.md'), 'utf8'), /\nlane: for_review\n/);

  const status = await p.run('status');
  t.is(status.code, 1);
  t.regex(status.stdout, /WP01 +Good/);
  t.regex(status.stderr, /WP02-bad\.md:\d+/);

  t.is((await p.events()).length, before);
  t.is(readFileSync(join(p.tasks('001-shop'), 'WP02-bad.md'), 'utf8'), broken);
});

test('an id in two features asks for --feature; --feature, the folder and the branch decide', async (t) => {
  const p = await initRepo();
  await p.ok('feature', 'create', 'Cart');
  await p.ok('feature', 'create', 'Pay');
  await p.ok('wp', 'add', 'cart', 'A');
  await p.ok('wp', 'add', 'pay', 'B');
  const before = (await p.events()).length;

  const ambiguous = await p.run('implement', 'WP01');
  t.is(ambiguous.code, 1);
  t.regex(ambiguous.stderr, /WP01 exists in several features: 001-cart, 002-pay/);
  t.regex(ambiguous.stderr, /spec-kitty implement WP01 --feature 001-cart/);
  t.is((await p.events()).length, before);

  await p.ok('implement', 'WP01', '--feature', '2');
  const inFolder = await runCli(['review', 'WP01'], { cwd: join(p.repo, 'kitty-specs', '002-pay'), home: p.home });
  t.is(inFolder.code, 0, inFolder.stderr);
  git(p.repo, 'checkout', '-q', '-b', '001-cart-WP01');
  await p.ok('implement', 'WP01');

  const moves = (await p.events()).slice(before).map((r) => `${r.envelope.payload.feature_slug as string} ${summary([r])[0]}`);
  t.deepEqual(moves, [
    '002-pay WPStatusChanged WP01 planned→doing',
    '002-pay WPStatusChanged WP01 doing→for_review',
    '001-cart WPStatusChanged WP01 planned→doing',
  ]);
});

test('status shows the board per feature and one queue line; --json has lanes and queue counts', async (t) => {
  const p = await initRepo();
  await p.ok('feature', 'create', 'Shop');
  await p.ok('wp', 'add', '1', 'A');
  await p.ok('wp', 'add', '1', 'B', '--deps', 'WP01');
  await p.ok('implement', 'WP01');
  const human = await p.ok('status');
  t.regex(human.stdout, /001-shop +Shop +0\/2 done/);
  t.regex(human.stdout, /planned +WP02 +B/);
  t.regex(human.stdout, /doing +WP01 +A/);
  t.regex(human.stdout, /Queue: 4 pending · team local · last sync never/);
  t.false(human.stdout.includes('\x1b['), 'NO_COLOR is respected');

  const json = JSON.parse((await p.ok('status', '--json')).stdout);
  t.is(json.features.length, 1);
  const [f] = json.features;
  t.is(f.slug, '001-shop');
  t.deepEqual(Object.keys(f.lanes), ['planned', 'doing', 'for_review', 'done']);
  t.deepEqual(f.lanes.planned.map((c: { wp_id: string }) => c.wp_id), ['WP02']);
  t.deepEqual(f.lanes.doing.map((c: { wp_id: string }) => c.wp_id), ['WP01']);
  t.deepEqual(f.lanes.planned[0].dependencies, ['WP01']);
  t.like(json.queue, { pending: 4, held: 0, team_slug: 'local', last_sync: null });
  t.deepEqual(json.problems, []);
});

test('when the event cannot be queued the WP file is never written and the command exits 3', async (t) => {
  const p = await initRepo();
  await p.ok('feature', 'create', 'Shop');
  await p.ok('wp', 'add', '1', 'A');
  const path = join(p.tasks('001-shop'), 'WP01-a.md');
  const file = readFileSync(path, 'utf8');
  const before = (await p.events()).length;
  // A persist plugin ahead of queue-persist fails: the event is not durable, so nothing may change.
  writeFileSync(join(p.repo, '.kittify', 'refuse.mjs'),
    "export default { name: 'refuse', apply(hooks) { hooks.persist.tap('refuse', () => { throw new Error('disk full'); }); } };");
  writeFileSync(join(p.repo, '.kittify', 'plugins.json'), JSON.stringify({ plugins: [{ use: './.kittify/refuse.mjs', before: 'queue-persist' }] }));

  const r = await p.run('implement', 'WP01');
  t.is(r.code, 3);
  t.regex(r.stderr, /plugin "refuse" failed: disk full/);
  t.regex(r.stderr, /WP01 was not moved: its event could not be queued, so kitty-specs\/001-shop\/tasks\/WP01-a\.md is as it was \(lane planned\)/);
  t.regex(r.stderr, /run the command again/);
  t.is(readFileSync(path, 'utf8'), file);

  const add = await p.run('wp', 'add', '1', 'B');
  t.is(add.code, 3);
  t.deepEqual(readFileSync(path, 'utf8'), file);

  writeFileSync(join(p.repo, '.kittify', 'plugins.json'), JSON.stringify({ plugins: [] }));
  await p.ok('implement', 'WP01');
  t.deepEqual(summary((await p.events()).slice(before)), ['WPStatusChanged WP01 planned→doing']);
});

test('a project cannot disable the required queue-persist: the error names the file, and events are still queued', async (t) => {
  const p = await initRepo();
  await p.ok('feature', 'create', 'Shop');
  await p.ok('wp', 'add', '1', 'A');
  const before = (await p.events()).length;
  const projectFile = join(p.repo, '.kittify', 'plugins.json');
  writeFileSync(projectFile, JSON.stringify({ plugins: [{ use: 'queue-persist', enabled: false }] }));

  const r = await p.run('implement', 'WP01');
  t.is(r.code, 0, r.stderr);
  t.true(r.stderr.includes(`plugin "queue-persist" (${projectFile}): is required and cannot be disabled; it stays enabled`), r.stderr);
  t.deepEqual(summary((await p.events()).slice(before)), ['WPStatusChanged WP01 planned→doing']);
});

test('commands outside a project say to run init', async (t) => {
  const dir = tempDir();
  mkdirSync(join(dir, 'home'));
  const r = await runCli(['implement', 'WP01'], { cwd: dir, home: join(dir, 'home') });
  t.is(r.code, 1);
  t.regex(r.stderr, /spec-kitty init/);
});

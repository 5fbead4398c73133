import test from 'ava';
import { chmodSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { nameUuid } from '../../../services/identity/name-uuid.js';
import { makeGitRepo } from '../../helpers/git.js';
import {
  NOBODY, assertConsistent, audit, checkout, checkoutAt, chownTree, drainersDone, finalSync, hubHolds, machine, nobodyCanRun, startHub,
} from './helpers.js';

test('init → implement: the drainer puts the event on the hub with its project_uuid, project_slug, node_id and team_slug', async (t) => {
  const hub = await startHub(t);
  const m = machine(t, 'solo');
  await m.login(hub.url);
  const c = await checkout(m, 'git@github.com:acme/storefront.git');
  await c.ok('feature', 'create', 'Checkout');
  await c.ok('wp', 'add', '1', 'Cart');
  await c.ok('implement', 'WP01');
  // No sync now: the command's detached drainer delivers.
  await hubHolds(hub, 3);
  t.true(await drainersDone(m), 'the drainers ended by themselves');
  const { uuid, slug } = c.identity();
  t.is(uuid, nameUuid('spec-kitty project origin github.com/acme/storefront'));
  const f = await audit(hub, [m]);
  assertConsistent(t, 'init → implement', f, 3);
  const moved = [...f.byId.values()].filter((e) => e.event_type === 'WPStatusChanged');
  t.is(moved.length, 1);
  t.like(moved[0], { project_uuid: uuid, project_slug: slug, node_id: m.nodeId, team_slug: 'acme', aggregate_id: 'WP01' });
  t.like(moved[0].payload, { previous_status: 'planned', new_status: 'doing', feature_slug: '001-checkout' });
  const projects = await hub.reader.projects();
  t.is(projects.length, 1);
  t.like(projects[0], { project_uuid: uuid, project_slug: 'storefront', event_count: 3, node_ids: [m.nodeId] });
});

test('backfill: a config.yaml with comments and no identity gets one, comments kept, and the events carry it on the hub', async (t) => {
  const hub = await startHub(t);
  const m = machine(t, 'backfill');
  await m.login(hub.url);
  const repo = makeGitRepo({ origin: 'https://github.com/acme/Legacy_App.git' });
  m.own(dirname(repo));
  const kept = '# Our project settings: keep these lines\nsync:\n  # sent by the drainer\n  background: true # inline note\n';
  const kittify = join(repo, '.kittify');
  mkdirSync(kittify);
  writeFileSync(join(kittify, 'config.yaml'), kept);
  const c = checkoutAt(m, repo);
  // No init: the first emitting command backfills.
  await c.ok('feature', 'create', 'Migration');
  await c.ok('wp', 'add', '1', 'Schema');
  await c.ok('implement', 'WP01');
  const text = readFileSync(join(kittify, 'config.yaml'), 'utf8');
  t.true(text.startsWith(kept), `comments and settings kept:\n${text}`);
  const { uuid, slug } = c.identity();
  t.is(uuid, nameUuid('spec-kitty project origin github.com/acme/Legacy_App'));
  t.is(slug, 'legacy-app');
  t.deepEqual(readdirSync(kittify).filter((f) => f.includes('corrupt')), [], 'nothing kept aside: the file was not broken');
  await finalSync(m);
  const f = await audit(hub, [m]);
  assertConsistent(t, 'backfill', f, 3);
  for (const e of f.byId.values()) t.like(e, { project_uuid: uuid, project_slug: slug, node_id: m.nodeId, team_slug: 'acme' });
});

const nobodyOk = nobodyCanRun();

test('read-only checkout (run as uid 65534): events on the hub under the derived uuid; a later init by the owner keeps it', async (t) => {
  if (!nobodyOk) return t.pass(`skipped: needs root, and uid ${NOBODY} able to run the built CLI`);
  const hub = await startHub(t);
  const reader = machine(t, 'reader', { uid: NOBODY });
  await reader.login(hub.url);
  const repo = makeGitRepo({ origin: 'git@github.com:acme/Shared-Docs.git' });
  reader.own(dirname(repo));
  chmodSync(dirname(repo), 0o755);
  // The checkout is root's: .kittify/ (no config yet) is not writable by the user; its work
  // folder kitty-specs/ is theirs, so lane moves can be made.
  mkdirSync(join(repo, '.kittify'));
  mkdirSync(join(repo, 'kitty-specs'));
  chownTree(join(repo, 'kitty-specs'), NOBODY);
  const ro = checkoutAt(reader, repo);
  const created = await ro.run('feature', 'create', 'Guides');
  t.is(created.code, 0, created.stderr);
  t.regex(created.stderr, /cannot save the project identity/);
  await ro.ok('wp', 'add', '1', 'Install guide');
  await ro.ok('implement', 'WP01');
  await ro.ok('review', 'WP01');
  t.deepEqual(readdirSync(join(repo, '.kittify')), [], 'nothing written in .kittify/');
  const derived = nameUuid('spec-kitty project origin github.com/acme/Shared-Docs');
  await hubHolds(hub, 4);
  await finalSync(reader);

  // The owner (root, another machine) makes the checkout writable and runs init.
  const owner = machine(t, 'owner');
  await owner.login(hub.url);
  const rw = checkoutAt(owner, repo);
  const init = await owner.run(['init', '--json'], repo);
  t.is(init.code, 0, init.stderr);
  t.is(JSON.parse(init.stdout).project_uuid, derived, 'init saves the uuid the read-only runs used');
  t.is(rw.identity().uuid, derived);
  chownTree(join(repo, 'kitty-specs'), 0);
  await rw.ok('accept');
  await finalSync(owner);

  const f = await audit(hub, [reader, owner]);
  assertConsistent(t, 'read-only checkout', f, 6);
  const projects = await hub.reader.projects();
  t.is(projects.length, 1, 'one project on the hub');
  t.like(projects[0], { project_uuid: derived, project_slug: 'shared-docs', event_count: 6 });
  t.deepEqual([...projects[0].node_ids].sort(), [reader.nodeId, owner.nodeId].sort());
  for (const e of f.byId.values()) t.like(e, { project_uuid: derived, team_slug: 'acme' });
});

import test from 'ava';
import { nameUuid } from '../../../services/identity/name-uuid.js';
import { assertConsistent, audit, checkout, finalSync, gitClone, machine, startHub } from './helpers.js';

test('two repositories of one team → two projects on the hub (and a third of another owner with the same name stays apart)', async (t) => {
  const hub = await startHub(t);
  const m = machine(t, 'dev');
  await m.login(hub.url);
  const shop = await checkout(m, 'git@github.com:acme/shop.git');
  const billing = await checkout(m, 'https://github.com/acme/billing.git');
  const fork = await checkout(m, 'git@github.com:globex/shop.git');
  await shop.ok('feature', 'create', 'Cart');
  await shop.ok('wp', 'add', '1', 'Basket');
  await billing.ok('feature', 'create', 'Invoices');
  await shop.ok('implement', 'WP01');
  await billing.ok('wp', 'add', '1', 'PDF');
  await fork.ok('feature', 'create', 'Cart');
  await finalSync(m);

  const f = await audit(hub, [m]);
  assertConsistent(t, 'three repositories', f, 6);
  const projects = await hub.reader.projects();
  t.log(`projects on the hub: ${projects.map((p) => `${p.project_slug} ${p.project_uuid} (${p.event_count} events)`).join(', ')}`);
  const bySlugUuid = Object.fromEntries(projects.map((p) => [p.project_uuid, p]));
  t.is(projects.length, 3);
  t.like(bySlugUuid[shop.identity().uuid], { project_slug: 'shop', event_count: 3 });
  t.like(bySlugUuid[billing.identity().uuid], { project_slug: 'billing', event_count: 2 });
  t.like(bySlugUuid[fork.identity().uuid], { project_slug: 'shop', event_count: 1 });
  t.is(shop.identity().uuid, nameUuid('spec-kitty project origin github.com/acme/shop'));
  t.not(shop.identity().uuid, fork.identity().uuid, 'the same slug from another remote is another project');
  for (const e of f.byId.values()) {
    const owner = [shop, billing, fork].find((c) => c.identity().uuid === e.project_uuid);
    t.truthy(owner, `event ${e.event_id} belongs to one of the checkouts`);
  }
});

test('two clones of one repository on two machines (and a third that ran init before pulling) → one project with every node', async (t) => {
  const hub = await startHub(t);
  const origin = 'git@github.com:acme/platform.git';
  const a = machine(t, 'laptop');
  const b = machine(t, 'desktop');
  const c = machine(t, 'ci');
  for (const m of [a, b, c]) await m.login(hub.url);
  const onA = await checkout(a, origin);
  await onA.ok('feature', 'create', 'Search');
  await onA.ok('wp', 'add', '1', 'Index');
  await onA.ok('wp', 'add', '1', 'Query');
  await onA.ok('implement', 'WP01');
  // B clones A's work (config.yaml committed, as the README asks), and works on it.
  const onB = gitClone(b, onA, origin);
  await onB.ok('implement', 'WP02');
  await onB.ok('review', 'WP02');
  // C set the project up on its own from the same remote, before pulling anything.
  const onC = await checkout(c, 'https://github.com/acme/platform');
  await onC.ok('feature', 'create', 'Docs');
  for (const m of [a, b, c]) await finalSync(m);

  const uuid = nameUuid('spec-kitty project origin github.com/acme/platform');
  t.deepEqual([onA.identity().uuid, onB.identity().uuid, onC.identity().uuid], [uuid, uuid, uuid]);
  const f = await audit(hub, [a, b, c]);
  assertConsistent(t, 'three clones on three machines', f, 4 + 2 + 1);
  const projects = await hub.reader.projects();
  t.is(projects.length, 1, 'one project');
  t.like(projects[0], { project_uuid: uuid, project_slug: 'platform', event_count: 7 });
  t.deepEqual([...projects[0].node_ids].sort(), [a.nodeId, b.nodeId, c.nodeId].sort(), 'with every machine as a node');
  const perNode: Record<string, number> = {};
  for (const e of f.byId.values()) perNode[e.node_id] = (perNode[e.node_id] ?? 0) + 1;
  t.deepEqual(perNode, { [a.nodeId]: 4, [b.nodeId]: 2, [c.nodeId]: 1 });
  t.log(`nodes: laptop ${a.nodeId} 4, desktop ${b.nodeId} 2, ci ${c.nodeId} 1 event(s)`);
});

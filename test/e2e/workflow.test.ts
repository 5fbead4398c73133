import test from 'ava';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { initRepo, summary } from './workflow-helpers.js';

test('init → feature → wps → implement → review → accept: the expected events, in order, one per transition, with project identity', async (t) => {
  const p = await initRepo();
  await p.ok('feature', 'create', 'Checkout Flow');
  await p.ok('wp', 'add', '001-checkout-flow', 'Cart model');
  await p.ok('wp', 'add', '1', 'Payment form', '--deps', 'WP01');
  await p.ok('implement', 'WP01');
  await p.ok('review', 'WP01');
  await p.ok('accept');
  await p.ok('implement', 'WP02');
  await p.ok('review', 'WP02');
  const accepted = await p.ok('accept');
  t.regex(accepted.stdout, /001-checkout-flow is complete/);

  const rows = await p.events();
  t.deepEqual(summary(rows), [
    'FeatureCreated 001-checkout-flow',
    'WPCreated WP01',
    'WPCreated WP02',
    'WPStatusChanged WP01 planned→doing',
    'WPStatusChanged WP01 doing→for_review',
    'WPStatusChanged WP01 for_review→done',
    'WPStatusChanged WP02 planned→doing',
    'WPStatusChanged WP02 doing→for_review',
    'WPStatusChanged WP02 for_review→done',
    'FeatureCompleted 001-checkout-flow',
  ]);
  const { uuid, slug } = p.identity();
  for (const { envelope: e, state } of rows) {
    t.is(e.project_uuid, uuid);
    t.is(e.project_slug, slug);
    t.is(e.team_slug, 'local');
    t.is(state, 'pending');
  }
  const clocks = rows.map((r) => r.envelope.lamport_clock);
  t.deepEqual(clocks, [...clocks].sort((a, b) => a - b));
  t.is(new Set(clocks).size, clocks.length);

  const [feature, wp1, wp2, firstMove] = rows.map((r) => r.envelope);
  t.like(feature, { aggregate_type: 'Feature', payload: { feature_slug: '001-checkout-flow', feature_number: '001', name: 'Checkout Flow' } });
  t.deepEqual(wp1.payload, { wp_id: 'WP01', title: 'Cart model', feature_slug: '001-checkout-flow', lane: 'planned', dependencies: [] });
  t.deepEqual(wp2.payload.dependencies, ['WP01']);
  t.is(wp2.aggregate_type, 'WorkPackage');
  t.is(firstMove.aggregate_type, 'WorkPackage');
  t.deepEqual(firstMove.payload, {
    wp_id: 'WP01', previous_status: 'planned', new_status: 'doing', changed_by: 'Test User', feature_slug: '001-checkout-flow',
  });
  t.like(rows.at(-1)!.envelope, { aggregate_type: 'Feature', payload: { feature_slug: '001-checkout-flow', wp_count: 2 } });

  // The files tell the same story as the events.
  const wp1File = readFileSync(join(p.tasks('001-checkout-flow'), 'WP01-cart-model.md'), 'utf8');
  t.regex(wp1File, /\nlane: done\n/);
  t.deepEqual([...wp1File.matchAll(/^- \S+Z – Test User – lane=(\w+) – /gm)].map((m) => m[1]), ['planned', 'doing', 'for_review', 'done']);
  const meta = JSON.parse(readFileSync(join(p.repo, 'kitty-specs', '001-checkout-flow', 'meta.json'), 'utf8'));
  t.is(meta.friendly_name, 'Checkout Flow');
  t.is(typeof meta.completed_at, 'string');
});

test('a second implement WP01 changes nothing, says so and emits nothing', async (t) => {
  const p = await initRepo();
  await p.ok('feature', 'create', 'Shop');
  await p.ok('wp', 'add', '1', 'A');
  await p.ok('implement', 'WP01');
  const path = join(p.tasks('001-shop'), 'WP01-a.md');
  const file = readFileSync(path, 'utf8');
  const before = (await p.events()).length;
  const again = await p.run('implement', 'WP01');
  t.is(again.code, 0);
  t.regex(again.stdout, /WP01 is already in doing; nothing changed/);
  t.is((await p.events()).length, before);
  t.is(readFileSync(path, 'utf8'), file);
  const json = JSON.parse((await p.ok('implement', 'WP01', '--json')).stdout);
  t.like(json, { wp_id: 'WP01', changed: false, event_id: null, new_status: 'doing' });
});

test('accept with 3 WPs in for_review emits exactly 3 WPStatusChanged and 1 FeatureCompleted; a second accept emits nothing', async (t) => {
  const p = await initRepo();
  await p.ok('feature', 'create', 'Shop');
  for (const title of ['A', 'B', 'C']) await p.ok('wp', 'add', '1', title);
  for (const id of ['WP01', 'WP02', 'WP03']) {
    await p.ok('implement', id);
    await p.ok('review', id);
  }
  const before = (await p.events()).length;
  const out = JSON.parse((await p.ok('accept', '--json')).stdout);
  t.is(out.accepted.length, 3);
  t.true(out.feature_completed);
  const added = (await p.events()).slice(before);
  t.deepEqual(summary(added), [
    'WPStatusChanged WP01 for_review→done',
    'WPStatusChanged WP02 for_review→done',
    'WPStatusChanged WP03 for_review→done',
    'FeatureCompleted 001-shop',
  ]);
  // One command run: the events share its correlation id.
  t.is(new Set(added.map((r) => r.envelope.correlation_id)).size, 1);

  const again = await p.run('accept');
  t.is(again.code, 0);
  t.regex(again.stdout, /Nothing to accept/);
  t.is((await p.events()).length, before + 4);
});

test('failed moves exit 1 with what to do, emit no status change and leave the files alone', async (t) => {
  const p = await initRepo();
  await p.ok('feature', 'create', 'Shop');
  await p.ok('wp', 'add', '1', 'A');
  await p.ok('wp', 'add', '1', 'B', '--deps', 'WP01');
  const dir = p.tasks('001-shop');
  const snapshot = () => readdirSync(dir).sort().map((f) => readFileSync(join(dir, f), 'utf8'));
  const files = snapshot();
  const before = (await p.events()).length;

  const blocked = await p.run('implement', 'WP02');
  t.is(blocked.code, 1);
  t.regex(blocked.stderr, /WP02 depends on WP01 \(planned\), which must be done first/);
  t.regex(blocked.stderr, /--force/);

  const early = await p.run('review', 'WP01');
  t.is(early.code, 1);
  t.regex(early.stderr, /spec-kitty implement WP01/);

  const skip = await p.run('move', 'WP01', '--to', 'done');
  t.is(skip.code, 1);
  t.regex(skip.stderr, /cannot skip from planned to done/);

  const badLane = await p.run('move', 'WP01', '--to', 'blocked');
  t.is(badLane.code, 2);

  const missing = await p.run('implement', 'WP09');
  t.is(missing.code, 1);
  t.regex(missing.stderr, /WP09 does not exist/);

  t.is((await p.events()).length, before);
  t.deepEqual(snapshot(), files);

  // --force is the documented way past the rules, and emits the one move.
  await p.ok('implement', 'WP02', '--force');
  t.deepEqual(summary((await p.events()).slice(before)), ['WPStatusChanged WP02 planned→doing']);
});

test('move follows the lane rules: back from review, done is final without --force', async (t) => {
  const p = await initRepo();
  await p.ok('feature', 'create', 'Shop');
  await p.ok('wp', 'add', '1', 'A');
  await p.ok('implement', 'WP01');
  await p.ok('review', 'WP01');
  const before = (await p.events()).length;
  await p.ok('move', 'WP01', '--to', 'doing', '--note', 'changes requested');
  await p.ok('move', 'WP01', '--to', 'for_review');
  await p.ok('move', 'WP01', '--to', 'done');
  const reopen = await p.run('move', 'WP01', '--to', 'doing');
  t.is(reopen.code, 1);
  t.regex(reopen.stderr, /done is final/);
  t.regex(reopen.stderr, /--force/);
  t.deepEqual(summary((await p.events()).slice(before)), [
    'WPStatusChanged WP01 for_review→doing',
    'WPStatusChanged WP01 doing→for_review',
    'WPStatusChanged WP01 for_review→done',
    // The last WP reaching done completes the feature, whichever command moved it.
    'FeatureCompleted 001-shop',
  ]);
  t.regex(readFileSync(join(p.tasks('001-shop'), 'WP01-a.md'), 'utf8'), /lane=doing – changes requested\n/);
});

test('concurrent implement runs of one WP move it once and emit one WPStatusChanged', async (t) => {
  const p = await initRepo();
  await p.ok('feature', 'create', 'Shop');
  await p.ok('wp', 'add', '1', 'A');
  const before = (await p.events()).length;
  const runs = await Promise.all([1, 2, 3, 4].map(() => p.run('implement', 'WP01')));
  t.deepEqual(runs.map((r) => r.code), [0, 0, 0, 0]);
  t.is(runs.filter((r) => /planned → doing/.test(r.stdout)).length, 1);
  t.is(runs.filter((r) => /already in doing/.test(r.stdout)).length, 3);
  t.deepEqual(summary((await p.events()).slice(before)), ['WPStatusChanged WP01 planned→doing']);
  const log = readFileSync(join(p.tasks('001-shop'), 'WP01-a.md'), 'utf8');
  t.is(log.match(/lane=doing/g)?.length, 1);
});

import test from 'ava';
import type { Envelope } from '../../../contract/index.js';
import { checkDamage } from '../chaos/invariants.js';
import { assertConsistent, audit, checkout, finalSync, machine, start, startHub } from './helpers.js';

/** Each lane command and the WPStatusChanged events it must produce ([] for a move to the lane the WP is in). */
const STEPS: Array<{ args: string[]; moves: string[] }> = [
  { args: ['implement', 'WP01'], moves: ['WP01 planned→doing'] },
  { args: ['implement', 'WP01'], moves: [] },
  { args: ['review', 'WP01'], moves: ['WP01 doing→for_review'] },
  { args: ['move', 'WP01', '--to', 'doing'], moves: ['WP01 for_review→doing'] },
  { args: ['review', 'WP01', '--note', 'second look'], moves: ['WP01 doing→for_review'] },
  { args: ['implement', 'WP02'], moves: ['WP02 planned→doing'] },
  { args: ['review', 'WP02'], moves: ['WP02 doing→for_review'] },
  { args: ['accept'], moves: ['WP01 for_review→done', 'WP02 for_review→done'] },
  { args: ['accept'], moves: [] },
  { args: ['move', 'WP03', '--to', 'for_review', '--force'], moves: ['WP03 planned→for_review'] },
  { args: ['move', 'WP03', '--to', 'for_review', '--force'], moves: [] },
  { args: ['accept'], moves: ['WP03 for_review→done'] },
];

const moveOf = (e: Envelope) => `${e.aggregate_id} ${String(e.payload.previous_status)}→${String(e.payload.new_status)}`;

test('no duplicate emissions: each lane command puts exactly one WPStatusChanged per WP it moves on the hub, a repeat none', async (t) => {
  const hub = await startHub(t);
  const m = machine(t, 'lanes');
  await m.login(hub.url);
  const c = await checkout(m, 'git@github.com:acme/lanes.git');
  await c.ok('feature', 'create', 'Lanes');
  for (const title of ['One', 'Two', 'Three', 'Four']) await c.ok('wp', 'add', '1', title);
  for (const step of STEPS) {
    const r = await c.run(...step.args);
    t.is(r.code, 0, `${step.args.join(' ')}: ${r.stderr}`);
  }
  // Two `implement WP04` at once: they take turns on the WP's lock, and the second finds it in doing.
  const racing = await Promise.all([0, 1].map(() => new Promise<number | null>((resolve) => {
    start(['implement', 'WP04'], { cwd: c.repo, home: m.home }).on('close', (code) => resolve(code));
  })));
  t.deepEqual(racing, [0, 0]);
  await finalSync(m);

  const f = await audit(hub, [m]);
  const expected = [...STEPS.map((s) => s.moves).filter((moves) => moves.length > 0), ['WP04 planned→doing']];
  // 1 FeatureCreated, 4 WPCreated and the moves; no FeatureCompleted, since WP04 is not done.
  const moves = expected.flat().length;
  assertConsistent(t, 'lane commands', f, 1 + 4 + moves);
  // The hub's WPStatusChanged grouped by command run (correlation_id), in the order they ran (Lamport clock).
  const changed = [...f.byId.values()].filter((e) => e.event_type === 'WPStatusChanged').sort((a, b) => a.lamport_clock - b.lamport_clock);
  const runs = new Map<string, string[]>();
  for (const e of changed) runs.set(e.correlation_id ?? '', [...runs.get(e.correlation_id ?? '') ?? [], moveOf(e)]);
  t.log(`lane commands run: ${STEPS.length + 2}, WPStatusChanged on the hub: ${changed.length} (expected ${moves}), in ${runs.size} command runs`);
  t.deepEqual([...runs.values()], expected, 'one event per moved WP, per command, none for a repeat');
  t.is(new Set(changed.map((e) => e.event_id)).size, changed.length);
  t.is([...f.byId.values()].filter((e) => e.event_type === 'FeatureCompleted').length, 0, 'WP04 is not done: no FeatureCompleted');

  // The local view agrees: every change on disk has exactly one event.
  const damage = await checkDamage(c.repo, m.home);
  t.deepEqual(damage.problems, []);
  t.like(damage, { lost: 0, phantom: 0, duplicated: 0, unsettled: 0 });
  // And the hub's board ends where the files are.
  const [project] = await hub.reader.projects() as unknown as Array<{ features: Array<{ wps: Array<{ wp_id: string; lane: string }> }> }>;
  const lanes = Object.fromEntries(project.features[0].wps.map((w) => [w.wp_id, w.lane]));
  t.deepEqual(lanes, { WP01: 'done', WP02: 'done', WP03: 'done', WP04: 'doing' });
});

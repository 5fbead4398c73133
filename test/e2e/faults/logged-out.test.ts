import test from 'ava';
import { assertConsistent, audit, checkout, countStates, drainerPids, finalSync, machine, queueOf, startHub } from './helpers.js';

const COMMANDS = [
  ['feature', 'create', 'Offline work'],
  ['wp', 'add', '1', 'Parser'],
  ['wp', 'add', '1', 'Printer'],
  ['implement', 'WP01'],
  ['review', 'WP01'],
  ['accept'],
  ['move', 'WP02', '--to', 'doing', '--force'],
];

test('logged out: every command works and exits clean, events queue as team "local"; after login, sync now puts every one on the hub under the team', async (t) => {
  const m = machine(t, 'offline');
  const c = await checkout(m, 'git@github.com:acme/offline-first.git');
  for (const args of COMMANDS) {
    const r = await c.run(...args);
    t.is(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    t.is(r.stderr, '', `${args.join(' ')} says nothing on stderr`);
    t.deepEqual(drainerPids(m.home), [], `no drainer after ${args.join(' ')}`);
  }
  const queued = await queueOf(m);
  // 1 feature, 2 WPs, implement, review, accept (the move and no FeatureCompleted: WP02 is planned), the forced move.
  t.deepEqual(countStates(queued), { pending: 7 });
  for (const row of queued) t.is(row.envelope.team_slug, 'local');
  const status = await m.run(['sync', 'status', '--json'], c.repo);
  t.is(status.code, 0, status.stderr);
  t.like(JSON.parse(status.stdout), { counts: { pending: 7 } });

  const hub = await startHub(t);
  await m.login(hub.url);
  const now = await c.run('sync', 'now', '--json');
  t.is(now.code, 0, now.stderr);
  t.like(JSON.parse(now.stdout), { logged_in: true, team_slug: 'acme', sent: 7, duplicate: 0, dead: 0, left: 0, error: null });
  // One more command, logged in now: it carries the team, and its drainer sends it.
  await c.ok('review', 'WP02');
  await finalSync(m);
  const f = await audit(hub, [m]);
  assertConsistent(t, 'logged out, then login + sync now', f, 8);
  for (const e of f.byId.values()) t.is(e.team_slug, 'acme', 'the hub files "local" events under the user\'s team');
  const local = new Set(queued.map((r) => r.envelope.event_id));
  t.is([...f.byId.keys()].filter((id) => local.has(id)).length, 7, 'every event queued while logged out is on the hub');
  t.like((await hub.reader.projects())[0], { project_uuid: c.identity().uuid, event_count: 8, node_ids: [m.nodeId] });
});

import test from 'ava';
import { runCli } from '../helpers/cli.js';
import { envelope } from '../helpers/envelope.js';
import { openTestQueue } from '../services/queue/queue-fixtures.js';
import { countIds, liveHub, login, offline, project, recordingServer, seed, states, storeLogin } from './sync-helpers.js';

test('sync now sends what is pending: a summary line, or --json; exit 0 when all went, duplicates counted as such', async (t) => {
  const hub = await liveHub(t);
  const p = await project(t);
  await login(p, hub.url);
  await offline(p, 'feature', 'create', 'Shop');
  await offline(p, 'wp', 'add', '1', 'Cart');
  const human = await p.run('sync', 'now');
  t.is(human.code, 0, human.stderr);
  t.is(human.stdout, 'sent 2, duplicate 0, rejected → dead 0, left 0\n');

  // One event the hub has already (sent by another machine, say), one it has not.
  const { uuid, slug } = p.identity();
  const known = envelope({ project_uuid: uuid, project_slug: slug, team_slug: 'acme' });
  t.like(await hub.post([known]), [{ status: 'success' }]);
  await seed(p.home, [known]);
  await offline(p, 'implement', 'WP01');
  const json = await p.run('sync', 'now', '--json');
  t.is(json.code, 0, json.stderr);
  t.deepEqual(JSON.parse(json.stdout), {
    hub_url: hub.url, username: 'ada', team_slug: 'acme', logged_in: true, sent: 1, duplicate: 1, dead: 0, left: 0, error: null,
  });
  t.like(countIds(await hub.events(uuid)), { total: 4, distinct: 4 });
  t.deepEqual(states(await p.events()), { sent: 4 });

  const again = await p.run('sync', 'now', '--json');
  t.is(again.code, 0);
  t.like(JSON.parse(again.stdout), { sent: 0, duplicate: 0, dead: 0, left: 0, error: null });
});

test('sync now logged out with events pending: exit 1, they are left, and it says to log in', async (t) => {
  const p = await project(t);
  await p.ok('feature', 'create', 'Shop');
  const human = await p.run('sync', 'now');
  t.is(human.code, 1);
  t.regex(human.stdout, /^sent 0, duplicate 0, rejected → dead 0, left 1$/m);
  t.regex(human.stdout, /not logged in: run `spec-kitty auth login`; the events stay queued/);
  const json = await p.run('sync', 'now', '--json');
  t.is(json.code, 1);
  t.like(JSON.parse(json.stdout), { logged_in: false, sent: 0, dead: 0, left: 1 });
  t.deepEqual(states(await p.events()), { pending: 1 });
});

test('a rejected event: sync now exits 1, status lists it dead with the reason, retry-dead (one or all) puts it back to pending; an unknown id is refused', async (t) => {
  const hub = await liveHub(t);
  const p = await project(t);
  await login(p, hub.url);
  const { uuid, slug } = p.identity();
  // An event of another team: the hub rejects it, and only it.
  const foreign = envelope({ project_uuid: uuid, project_slug: slug, team_slug: 'beta', aggregate_id: 'WP07' });
  await seed(p.home, [foreign]);
  await offline(p, 'feature', 'create', 'Shop');

  const now = await p.run('sync', 'now');
  t.is(now.code, 1);
  t.regex(now.stdout, /^sent 1, duplicate 0, rejected → dead 1, left 0$/m);
  t.regex(now.stdout, /see why with `spec-kitty sync status`; `spec-kitty sync retry-dead` sends them again/);
  t.is((await hub.events(uuid)).length, 1, 'its neighbour went');

  const opts = { cwd: p.repo, home: p.home };
  const status = JSON.parse((await runCli(['sync', 'status', '--json'], opts)).stdout);
  t.like(status.counts, { dead: 1, sent: 1, pending: 0 });
  t.is(status.dead_events.length, 1);
  t.like(status.dead_events[0], { event_id: foreign.event_id, event_type: 'WPStatusChanged', aggregate_id: 'WP07' });
  t.regex(status.dead_events[0].reason, /rejected by the hub: team_slug "beta" is not your team \("acme"\)/);
  const human = await runCli(['sync', 'status'], opts);
  t.regex(human.stdout, /Dead events/);
  t.regex(human.stdout, new RegExp(`${foreign.event_id}\\s+WPStatusChanged\\s+WP07\\s+rejected by the hub: team_slug "beta"`));

  const unknown = await runCli(['sync', 'retry-dead', '--event', '01ZZZZZZZZZZZZZZZZZZZZZZZZ'], opts);
  t.is(unknown.code, 1);
  t.regex(unknown.stderr, /no dead event 01ZZZZZZZZZZZZZZZZZZZZZZZZ in the queue/);
  t.notRegex(unknown.stderr, /\n\s+at /);
  const one = await runCli(['sync', 'retry-dead', '--event', foreign.event_id, '--json'], opts);
  t.is(one.code, 0, one.stderr);
  t.deepEqual(JSON.parse(one.stdout), { retried: 1 });
  t.like(states(await p.events()), { pending: 1, sent: 1 });

  const twice = await runCli(['sync', 'now', '--json'], opts);
  t.is(twice.code, 1);
  t.like(JSON.parse(twice.stdout), { sent: 0, dead: 1, left: 0 });
  const all = await runCli(['sync', 'retry-dead'], opts);
  t.is(all.code, 0);
  t.is(all.stdout, '1 dead event back to pending: `spec-kitty sync now` sends them\n');
  t.like(states(await p.events()), { pending: 1, sent: 1 });
  t.is((await runCli(['sync', 'retry-dead'], opts)).stdout, 'no dead events\n');
});

test('sync now with nothing pending makes no network call, not even a token refresh', async (t) => {
  const server = await recordingServer(t, () => ({ status: 500 }));
  const p = await project(t);
  // Its access token expired: anything but "nothing to send" would refresh it first.
  await storeLogin(p.home, server.url, 0);
  const { queue } = openTestQueue(p.home);
  const sent = envelope({ team_slug: 'acme' });
  await queue.enqueue(sent, 'pending');
  await queue.markSent([sent.event_id]);
  queue.close();
  const r = await p.run('sync', 'now', '--json');
  t.is(r.code, 0, r.stderr);
  t.like(JSON.parse(r.stdout), { sent: 0, duplicate: 0, dead: 0, left: 0, error: null });
  t.deepEqual(server.requests, []);
});

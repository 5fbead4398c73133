import test from 'ava';
import { runJson } from '../helpers/cli.js';
import { saveCredentials } from '../../services/auth/credentials-store.js';
import { countIds, drainLog, drainerPids, liveHub, login, project, recordingServer, states } from './sync-helpers.js';

test('logged out: commands work and queue as team "local", nothing is sent; after auth login, sync now puts every event on the hub under the team', async (t) => {
  // The stored server (a logout keeps it) records every request it gets.
  const stored = await recordingServer(t, () => ({ status: 500, body: { error: { code: 'internal', message: 'no' } } }));
  const p = await project(t);
  await saveCredentials(p.home, { hub_url: stored.url, username: 'ada', team_slug: null, access_token: '', refresh_token: '' });
  t.like(await runJson(['auth', 'status', '--json'], { cwd: p.repo, home: p.home }), { logged_in: false, team_slug: 'local', hub_url: stored.url });

  for (const args of [['feature', 'create', 'Shop'], ['wp', 'add', '1', 'Cart'], ['wp', 'add', '1', 'Pay'], ['implement', 'WP01'], ['review', 'WP01']]) {
    const r = await p.run(...args);
    t.is(r.code, 0, r.stderr);
    t.deepEqual(drainerPids(p.home), [], `no drainer after ${args.join(' ')}`);
  }
  t.deepEqual(stored.requests, [], 'no request went out');
  t.deepEqual(drainLog(p.home), []);
  const queued = await p.events();
  t.deepEqual(states(queued), { pending: 5 });
  for (const row of queued) t.is(row.envelope.team_slug, 'local');

  const hub = await liveHub(t);
  await login(p, hub.url);
  const now = await p.run('sync', 'now');
  t.is(now.code, 0, now.stderr);
  t.regex(now.stdout, /^sent 5, duplicate 0, rejected → dead 0, left 0$/m);
  const { uuid } = p.identity();
  const onHub = await hub.events(uuid);
  t.like(countIds(onHub), { total: 5, distinct: 5, repeated: [] });
  t.deepEqual(onHub.map((e) => e.envelope.event_id).sort(), queued.map((r) => r.envelope.event_id).sort(), 'nothing lost');
  for (const e of onHub) t.is(e.envelope.team_slug, 'acme', 'the hub files "local" events under the user\'s team');
  t.deepEqual(states(await p.events()), { sent: 5 });
  t.deepEqual(stored.requests, []);
});

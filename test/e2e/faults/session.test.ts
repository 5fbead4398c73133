import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  assertConsistent, audit, checkout, countStates, drainerPids, drainersDone, editHubTokens, finalSync, machine, queueOf, startHub,
} from './helpers.js';

const REFUSED = /the hub no longer accepts this login \(ada at http:\/\/127\.0\.0\.1:\d+\): run `spec-kitty auth login` to log in again; until then events keep queueing, attributed to team "local"/;

const drainLog = (home: string) => {
  try {
    return readFileSync(join(home, 'logs', 'drain.log'), 'utf8');
  } catch {
    return '';
  }
};

test('an expired session (access and refresh token past their lifetime): one clear message, events keep queueing; login + sync now puts all on the hub', async (t) => {
  const hub = await startHub(t);
  const m = machine(t, 'expired');
  await m.login(hub.url);
  const c = await checkout(m, 'git@github.com:acme/expired.git');
  await c.ok('feature', 'create', 'Session');
  await drainersDone(m);

  // Time passes: both tokens expire, at the hub and in the stored login.
  t.true(editHubTokens(hub.db, `UPDATE tokens SET expires_at = 1 WHERE kind IN ('access', 'refresh')`) >= 2);
  const file = join(m.home, 'credentials.json');
  const stored = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  writeFileSync(file, JSON.stringify({ ...stored, access_expires_at: '2020-01-01T00:00:00.000Z', refresh_expires_at: '2020-01-02T00:00:00.000Z' }), { mode: 0o600 });
  t.like(JSON.parse((await m.run(['auth', 'status', '--json'], c.repo)).stdout), { access_expired: true, refresh_expired: true });

  // The next command is unaffected; its drainer meets the refusal, says so once, and logs out.
  const next = await c.run('wp', 'add', '1', 'Refresh');
  t.is(next.code, 0, next.stderr);
  t.is(next.stderr, '', 'the command itself waits on no network and says nothing');
  await drainersDone(m);
  const log = drainLog(m.home);
  t.is(log.split('\n').filter((l) => REFUSED.test(l)).length, 1, log);
  t.like(JSON.parse((await m.run(['auth', 'status', '--json'], c.repo)).stdout), { logged_in: false, team_slug: 'local', username: 'ada' });

  // Events keep queueing, as team "local", with no drainer; sync now says what to do.
  for (const args of [['implement', 'WP01'], ['review', 'WP01']]) {
    const r = await c.run(...args);
    t.is(r.code, 0, r.stderr);
    t.is(r.stderr, '');
    t.deepEqual(drainerPids(m.home), []);
  }
  const stuck = await c.run('sync', 'now');
  t.is(stuck.code, 1);
  t.regex(stuck.stdout, /^sent 0, duplicate 0, rejected → dead 0, left 3\nnot logged in: run `spec-kitty auth login`; the events stay queued\n$/);
  t.deepEqual((await queueOf(m)).map((r) => `${r.state} ${r.envelope.team_slug}`), ['sent acme', 'pending acme', 'pending local', 'pending local']);

  await m.login(hub.url);
  const now = await c.run('sync', 'now', '--json');
  t.is(now.code, 0, now.stderr);
  t.like(JSON.parse(now.stdout), { logged_in: true, sent: 3, left: 0, dead: 0 });
  await finalSync(m);
  const f = await audit(hub, [m]);
  assertConsistent(t, 'expired session', f, 4);
  for (const e of f.byId.values()) t.is(e.team_slug, 'acme');
});

test('a revoked session (the login revoked at the hub while the access token is still fresh): sync now says so in one line; login + sync now sends everything', async (t) => {
  const hub = await startHub(t);
  const m = machine(t, 'revoked');
  await m.login(hub.url);
  const c = await checkout(m, 'git@github.com:acme/revoked.git');
  for (const args of [['feature', 'create', 'Revoked'], ['wp', 'add', '1', 'Audit']]) await m.ok(args, c.repo, { SPEC_KITTY_SYNC: 'off' });

  // The login is revoked at the hub (as `auth logout` elsewhere with these tokens would).
  const { access_token, refresh_token } = JSON.parse(readFileSync(join(m.home, 'credentials.json'), 'utf8')) as { access_token: string; refresh_token: string };
  const out = await fetch(`${hub.url}/api/v1/logout/`, {
    method: 'POST', headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' }, body: JSON.stringify({ refresh: refresh_token }),
  });
  t.is(out.status, 200, await out.text());

  // The batch gets 401, the forced refresh 401 too: one warning, exit 1, everything left queued.
  const first = await c.run('sync', 'now', '--json');
  t.is(first.code, 1);
  t.like(JSON.parse(first.stdout), { logged_in: false, sent: 0, left: 2 });
  const lines = first.stderr.trim().split('\n');
  t.is(lines.length, 1, first.stderr);
  t.regex(lines[0], /^warning: /);
  t.regex(lines[0], REFUSED);
  t.deepEqual(countStates(await queueOf(m)), { pending: 2 });
  // Work goes on.
  const r = await c.run('implement', 'WP01');
  t.is(r.code, 0, r.stderr);
  t.deepEqual(drainerPids(m.home), []);

  await m.login(hub.url);
  const now = await c.run('sync', 'now', '--json');
  t.is(now.code, 0, now.stderr);
  t.like(JSON.parse(now.stdout), { logged_in: true, sent: 3, left: 0 });
  await finalSync(m);
  const f = await audit(hub, [m]);
  assertConsistent(t, 'revoked session', f, 3);
});

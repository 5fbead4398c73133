import test from 'ava';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, runJson, tempDir, type RunOptions } from '../helpers/cli.js';
import { serveHub } from '../helpers/hub.js';
import { initRepo } from './workflow-helpers.js';

const PASSWORD = 'correct horse battery';

/** A hub (child process) on a fresh hub.db with one user, ada of team acme. */
async function hubWithAda() {
  const dir = tempDir('sk-authhub-');
  const opts = { cwd: dir, home: join(dir, 'home') };
  const add = await runCli(['hub', 'user', 'add', 'ada', '--team', 'acme', '--password-stdin'], { ...opts, input: PASSWORD });
  if (add.code !== 0) throw new Error(add.stderr);
  return serveHub([], opts);
}

function place(): RunOptions {
  const dir = tempDir('sk-auth-');
  return { cwd: dir, home: join(dir, 'home') };
}

const login = (url: string, opts: RunOptions, password = PASSWORD) =>
  runCli(['auth', 'login', '--server', url, '--username', 'ada', '--password-stdin'], { ...opts, input: `${password}\n` });

test('login with --password-stdin stores an owner-only login; status shows user, team and server, never a token', async (t) => {
  const hub = await hubWithAda();
  t.teardown(hub.stop);
  const opts = place();
  const r = await login(hub.url, opts);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /as ada, team acme/);
  const file = join(opts.home, 'credentials.json');
  t.is(statSync(file).mode & 0o777, 0o600);
  t.is(statSync(opts.home).mode & 0o777, 0o700);
  const { access_token, refresh_token } = (await import(file, { with: { type: 'json' } })).default as { access_token: string; refresh_token: string };
  t.true(access_token.length > 10 && refresh_token.length > 10);

  const status = await runCli(['auth', 'status', '--json'], opts);
  t.is(status.code, 0, status.stderr);
  const s = JSON.parse(status.stdout);
  t.like(s, { logged_in: true, username: 'ada', team_slug: 'acme', hub_url: hub.url, access_expired: false, refresh_expired: false });
  t.true(Date.parse(s.access_expires_at) > Date.now());
  t.true(Date.parse(s.refresh_expires_at) > Date.parse(s.access_expires_at));
  const human = await runCli(['auth', 'status'], opts);
  for (const out of [status.stdout, status.stderr, human.stdout, human.stderr, r.stdout, r.stderr, hub.output()]) {
    t.false(out.includes(access_token));
    t.false(out.includes(refresh_token));
    t.false(out.includes(PASSWORD));
  }
  t.regex(human.stdout, /Logged in as ada, team acme/);
});

test('events emitted after login carry the hub team, events before it "local"', async (t) => {
  const hub = await hubWithAda();
  t.teardown(hub.stop);
  const p = await initRepo();
  await p.ok('feature', 'create', 'Before Login');
  const r = await login(hub.url, { cwd: p.repo, home: p.home });
  t.is(r.code, 0, r.stderr);
  await p.ok('feature', 'create', 'After Login');
  const events = await p.events();
  const slugOf = (name: string) => events.filter((e) => JSON.stringify(e.envelope.payload).includes(name)).map((e) => e.envelope.team_slug);
  t.deepEqual(slugOf('Before Login'), ['local']);
  t.deepEqual(slugOf('After Login'), ['acme']);
});

test('a wrong password exits 1 with one line, and stores nothing', async (t) => {
  const hub = await hubWithAda();
  t.teardown(hub.stop);
  const opts = place();
  const r = await login(hub.url, opts, 'not the password');
  t.is(r.code, 1);
  t.is(r.stdout, '');
  t.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  t.regex(r.stderr, /wrong username or password/);
  t.false(r.stderr.includes('not the password'));
  t.like(await runJson(['auth', 'status', '--json'], opts), { logged_in: false, team_slug: 'local' });
});

test('plain http to a non-loopback host is refused with exit 2; no server at all is exit 2 too', async (t) => {
  const opts = place();
  const r = await runCli(['auth', 'login', '--server', 'http://hub.example.com', '--username', 'ada', '--password-stdin'], { ...opts, input: PASSWORD });
  t.is(r.code, 2);
  t.regex(r.stderr, /refusing plain http to hub\.example\.com/);
  const env = await runCli(['auth', 'login', '--username', 'ada', '--password-stdin'], { ...opts, input: PASSWORD, env: { SPEC_KITTY_SERVER: 'http://10.0.0.7:8787' } });
  t.is(env.code, 2);
  t.regex(env.stderr, /SPEC_KITTY_SERVER/);
  const none = await runCli(['auth', 'login', '--username', 'ada', '--password-stdin'], { ...opts, input: PASSWORD, env: { SPEC_KITTY_SERVER: '' } });
  t.is(none.code, 2);
  t.regex(none.stderr, /no hub to log in to/);
  const noUser = await runCli(['auth', 'login', '--server', 'https://hub.example.com', '--password-stdin'], { ...opts, input: PASSWORD });
  t.is(noUser.code, 2);
  t.regex(noUser.stderr, /--username/);
});

test('an unreachable hub is one line, exit 1', async (t) => {
  const hub = await hubWithAda();
  t.teardown(hub.stop);
  await hub.stop();
  const r = await login(hub.url, place());
  t.is(r.code, 1);
  t.regex(r.stderr, /cannot reach the hub/);
  t.is(r.stderr.trim().split('\n').length, 1, r.stderr);
});

test('logout revokes at the hub and clears; status then shows logged out, team "local"', async (t) => {
  const hub = await hubWithAda();
  t.teardown(hub.stop);
  const opts = place();
  t.is((await login(hub.url, opts)).code, 0);
  const { refresh_token } = JSON.parse((await import('node:fs')).readFileSync(join(opts.home, 'credentials.json'), 'utf8')) as { refresh_token: string };
  const out = await runCli(['auth', 'logout'], opts);
  t.is(out.code, 0, out.stderr);
  t.regex(out.stdout, /Revoked the login at/);
  t.regex(out.stdout, /Forgot the login on this machine/);
  // The old refresh token is refused by the hub.
  const refresh = await fetch(`${hub.url}/api/v1/token/refresh/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refresh: refresh_token }) });
  t.is(refresh.status, 401);
  t.like(await runJson(['auth', 'status', '--json'], opts), { logged_in: false, team_slug: 'local', username: 'ada', hub_url: hub.url });
  const human = await runCli(['auth', 'status'], opts);
  t.regex(human.stdout, /Not logged in/);
  t.regex(human.stdout, /team "local"/);
  // The stored server is used for the next login.
  const again = await runCli(['auth', 'login', '--username', 'ada', '--password-stdin'], { ...opts, input: PASSWORD, env: { SPEC_KITTY_SERVER: '' } });
  t.is(again.code, 0, again.stderr);
});

test('logout with the hub down still clears locally, and says so', async (t) => {
  const hub = await hubWithAda();
  t.teardown(hub.stop);
  const opts = place();
  t.is((await login(hub.url, opts)).code, 0);
  await hub.stop();
  const started = Date.now();
  const out = await runCli(['auth', 'logout'], opts);
  t.is(out.code, 0, out.stderr);
  t.true(Date.now() - started < 8_000);
  t.regex(out.stdout, /Could not revoke the login at the hub \(cannot reach the hub/);
  t.regex(out.stdout, /Forgot the login on this machine/);
  t.like(await runJson(['auth', 'status', '--json'], opts), { logged_in: false, team_slug: 'local' });
});

import test from 'ava';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { envelope } from '../helpers/envelope.js';
import { runCli, runJson, tempDir } from '../helpers/cli.js';
import { serveHub } from '../helpers/hub.js';

const PASSWORD = 'correct horse battery';

function place() {
  const dir = tempDir('sk-hubcli-');
  return { cwd: dir, home: join(dir, 'home') };
}


test('hub user add / list / remove and team list work on $SPEC_KITTY_HOME/hub.db, created 0600', async (t) => {
  const opts = place();
  const add = await runCli(['hub', 'user', 'add', 'ada', '--team', 'acme', '--password-stdin'], { ...opts, input: `${PASSWORD}\n` });
  t.is(add.code, 0, add.stderr);
  t.regex(add.stdout, /Added ada to team acme/);
  await runCli(['hub', 'user', 'add', 'bob', '--team', 'acme', '--password-stdin'], { ...opts, input: PASSWORD });
  t.is(statSync(join(opts.home, 'hub.db')).mode & 0o777, 0o600);
  const users = await runJson<{ users: Array<{ name: string; team: string }> }>(['hub', 'user', 'list', '--json'], opts);
  t.deepEqual(users.users.map((u) => [u.name, u.team]), [['ada', 'acme'], ['bob', 'acme']]);
  t.deepEqual((await runJson<{ teams: unknown[] }>(['hub', 'team', 'list', '--json'], opts)).teams, [{ slug: 'acme', users: 2 }]);
  const dup = await runCli(['hub', 'user', 'add', 'ada', '--team', 'acme', '--password-stdin'], { ...opts, input: PASSWORD });
  t.is(dup.code, 1);
  t.regex(dup.stderr, /a user named "ada" exists already/);
  const short = await runCli(['hub', 'user', 'add', 'cy', '--team', 'acme', '--password-stdin'], { ...opts, input: 'short' });
  t.is(short.code, 1);
  t.regex(short.stderr, /shorter than 8 characters/);
  t.is((await runCli(['hub', 'user', 'remove', 'bob'], opts)).code, 0);
  const gone = await runCli(['hub', 'user', 'remove', 'bob'], opts);
  t.is(gone.code, 1);
  t.regex(gone.stderr, /no user named "bob"/);
});

test('hub serve prints its URL, serves, logs one line per request and stops cleanly on SIGTERM', async (t) => {
  const opts = place();
  await runCli(['hub', 'user', 'add', 'ada', '--team', 'acme', '--password-stdin'], { ...opts, input: PASSWORD });
  const hub = await serveHub([], opts);
  try {
    const login = await fetch(`${hub.url}/api/v1/token/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'ada', password: PASSWORD }) });
    t.is(login.status, 200);
    const { access } = await login.json() as { access: string };
    // Requests in flight when SIGTERM comes are answered, not dropped.
    const batches = Array.from({ length: 10 }, (_, i) => fetch(`${hub.url}/api/v1/events/batch/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${access}` },
      body: JSON.stringify({ events: Array.from({ length: 100 }, () => envelope({ team_slug: 'acme', aggregate_id: `WP${String(i).padStart(2, '0')}` })) }),
    }).then((r) => r.status, () => 'refused'));
    await new Promise((r) => setTimeout(r, 20));
    hub.child.kill('SIGTERM');
    const statuses = await Promise.all(batches);
    const { code, out } = await hub.exited;
    t.is(code, 0, out);
    t.regex(out, /SIGTERM: closing/);
    t.regex(out, /^POST \/api\/v1\/token\/ 200 /m);
    t.false(out.includes(access));
    t.false(out.includes(PASSWORD));
    // Every batch either went through whole, or was never taken: 503 while closing, or refused once closed.
    t.true(statuses.every((s) => s === 200 || s === 503 || s === 'refused'), JSON.stringify(statuses));
    const accepted = statuses.filter((s) => s === 200).length;
    const again = await serveHub([], opts);
    try {
      const relog = await (await fetch(`${again.url}/api/v1/token/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'ada', password: PASSWORD }) })).json() as { access: string };
      const projects = await (await fetch(`${again.url}/api/v1/projects/`, { headers: { authorization: `Bearer ${relog.access}` } })).json() as { projects: Array<{ event_count: number }> };
      t.is(projects.projects.reduce((n, p) => n + p.event_count, 0), accepted * 100);
    } finally {
      await again.stop();
    }
  } finally {
    hub.child.kill('SIGKILL');
  }
});

test('hub commands explain themselves and refuse bad input with exit 2', async (t) => {
  const opts = place();
  const help = await runCli(['hub', 'serve', '--help'], opts);
  t.regex(help.stdout, /Examples:/);
  t.is((await runCli(['hub', 'serve', '--port', 'x'], opts)).code, 2);
  t.is((await runCli(['hub', 'serve', '--access-minutes', '0'], opts)).code, 2);
  t.is((await runCli(['hub', 'user', 'add', 'ada'], opts)).code, 2, 'no --team');
  const pg = await runCli(['hub', 'serve', '--db', 'postgres://ada:s3cret@127.0.0.1:1/x'], opts);
  t.is(pg.code, 1);
  t.regex(pg.stderr, /cannot use the hub database .*ECONNREFUSED.*check --db/);
  t.notRegex(pg.stderr, /s3cret|\n\s+at /);
});

test('without a terminal or --password-stdin, and on a port in use, the hub commands say what to do, with no stack trace', async (t) => {
  const opts = place();
  const noTty = await runCli(['hub', 'user', 'add', 'ada', '--team', 'acme'], opts);
  t.is(noTty.code, 1);
  t.regex(noTty.stderr, /give it with --password-stdin/);
  t.notRegex(noTty.stderr, /\n\s+at /);
  const first = await serveHub([], opts);
  try {
    const port = new URL(first.url).port;
    const second = await runCli(['hub', 'serve', '--port', port], opts);
    t.is(second.code, 1);
    t.regex(second.stderr, new RegExp(`127\\.0\\.0\\.1:${port} is in use by another program; pick another --port`));
    t.notRegex(second.stderr, /\n\s+at /);
  } finally {
    await first.stop();
  }
});

test('hub serve takes the token lifetimes it is given', async (t) => {
  const opts = place();
  await runCli(['hub', 'user', 'add', 'ada', '--team', 'acme', '--password-stdin'], { ...opts, input: PASSWORD });
  const hub = await serveHub(['--access-minutes', '5', '--refresh-days', '2'], opts);
  t.teardown(hub.stop);
  const login = await fetch(`${hub.url}/api/v1/token/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'ada', password: PASSWORD }) });
  t.like(await login.json(), { access_lifetime: 300, refresh_lifetime: 172800 });
});

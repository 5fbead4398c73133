import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfAuthClient } from '../../../services/auth/auth-client.js';
import { clearCredentials, saveCredentials } from '../../../services/auth/credentials-store.js';
import type { Credentials } from '../../../services/auth/credentials.js';
import { REPO_ROOT, tempDir } from '../../helpers/cli.js';
import { captureLogger } from '../../helpers/identity.js';

const LOGIN: Credentials = {
  hub_url: 'https://hub.example.com',
  username: 'ada',
  team_slug: 'acme-platform',
  access_token: 'access-1',
  refresh_token: 'refresh-1',
  access_expires_at: '2030-01-01T00:00:00.000Z',
  refresh_expires_at: '2030-02-01T00:00:00.000Z',
};

const client = (home: string) => {
  const { logger, lines } = captureLogger();
  return { auth: new ConfAuthClient({ cwd: home, home, verbose: false }, logger), lines };
};

test('not logged in (no credentials file): team "local", and nothing is created', (t) => {
  const home = join(tempDir(), 'home');
  const { auth, lines } = client(home);
  t.is(auth.getTeamSlug(), 'local');
  t.deepEqual(auth.status(), { loggedIn: false, teamSlug: 'local', username: null, hubUrl: null });
  t.false(existsSync(home));
  t.deepEqual(lines, []);
});

test('saved credentials: owner-only file with a schema version, read back as the team slug and status', async (t) => {
  const home = join(tempDir(), 'home');
  const path = await saveCredentials(home, LOGIN);
  t.is(path, join(home, 'credentials.json'));
  t.is(statSync(path).mode & 0o777, 0o600);
  t.is(statSync(home).mode & 0o777, 0o700);
  t.like(JSON.parse(readFileSync(path, 'utf8')), { version: 1, team_slug: 'acme-platform', refresh_token: 'refresh-1' });
  const { auth } = client(home);
  t.is(auth.getTeamSlug(), 'acme-platform');
  t.deepEqual(auth.status(), { loggedIn: true, teamSlug: 'acme-platform', username: 'ada', hubUrl: 'https://hub.example.com' });
});

test('logged in without a team: "local"', async (t) => {
  const home = tempDir();
  await saveCredentials(home, { ...LOGIN, team_slug: null });
  const { auth } = client(home);
  t.is(auth.getTeamSlug(), 'local');
  t.true(auth.status().loggedIn);
});

test('a new login or a logout is seen by a client that already read the file', async (t) => {
  const home = tempDir();
  const { auth } = client(home);
  t.is(auth.getTeamSlug(), 'local');
  await saveCredentials(home, LOGIN);
  t.is(auth.getTeamSlug(), 'acme-platform');
  await saveCredentials(home, { ...LOGIN, team_slug: 'another-team-with-a-longer-name' });
  t.is(auth.getTeamSlug(), 'another-team-with-a-longer-name');
  clearCredentials(home);
  t.is(auth.getTeamSlug(), 'local');
});

for (const [label, text, reason] of [
  ['corrupt JSON', '{"version": 1, "team_slug": "acme', /not valid JSON/],
  ['an array', '[]', /not a JSON object/],
  ['another schema version', JSON.stringify({ ...LOGIN, version: 2 }), /unsupported version 2/],
] as const) {
  test(`credentials file with ${label}: "local", one warning, no crash`, (t) => {
    const home = tempDir();
    writeFileSync(join(home, 'credentials.json'), text);
    const { auth, lines } = client(home);
    t.is(auth.getTeamSlug(), 'local');
    t.false(auth.status().loggedIn);
    t.is(lines.length, 1);
    t.regex(lines[0], reason);
    t.regex(lines[0], /^warning: cannot read the stored login: .*credentials\.json.*team "local"/);
  });
}

test('a new login replaces a corrupt credentials file', async (t) => {
  const home = tempDir();
  writeFileSync(join(home, 'credentials.json'), '{broken');
  await saveCredentials(home, LOGIN);
  t.is(client(home).auth.getTeamSlug(), 'acme-platform');
});

// conf (with ajv) costs more to import than an emitting command's budget: reading must not load it.
test('reading the stored login never imports conf', async (t) => {
  const home = tempDir();
  await saveCredentials(home, LOGIN);
  const out = execFileSync(process.execPath, [
    '--import', 'tsx', '--import', './test/services/auth/fixtures/forbid-conf.mjs', 'test/services/auth/fixtures/read-team.ts', home,
  ], { cwd: REPO_ROOT, encoding: 'utf8' });
  t.is(out.trim(), 'acme-platform');
  // The guard works: the write side (which does import conf) fails under it.
  const err = t.throws(() => execFileSync(process.execPath, [
    '--import', 'tsx', '--import', './test/services/auth/fixtures/forbid-conf.mjs', 'test/services/auth/fixtures/read-team.ts', home, '--save',
  ], { cwd: REPO_ROOT, encoding: 'utf8', stdio: 'pipe' }));
  t.regex(String((err as { stderr?: string }).stderr), /conf was imported/);
});

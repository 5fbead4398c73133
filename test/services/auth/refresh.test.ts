import test from 'ava';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { ConfAuthClient } from '../../../services/auth/auth-client.js';
import { readCredentials } from '../../../services/auth/credentials.js';
import { saveCredentials } from '../../../services/auth/credentials-store.js';
import { credentialsFromToken, refreshLogin } from '../../../services/auth/refresh.js';
import { FetchHubClient } from '../../../services/hub-client/fetch-hub-client.js';
import { createLogger } from '../../../lib/logger.js';
import { tempDir } from '../../helpers/cli.js';
import { startHub, type TestHub } from '../../hub/hub-fixture.js';

const FIXTURE = 'test/services/auth/fixtures/refresh-login.ts';

/** Logs ada in and stores the login in a new home, its access token already expired. */
async function loggedIn(hub: TestHub) {
  const home = join(tempDir('sk-refresh-'), 'home');
  const answer = await hub.login('ada');
  const now = Date.now();
  const credentials = credentialsFromToken({ ...answer, access_lifetime: 900, refresh_lifetime: 86_400 }, { hub_url: hub.url, username: 'ada' }, now);
  await saveCredentials(home, { ...credentials, access_expires_at: new Date(now - 1_000).toISOString() });
  return { home, answer };
}

const refreshWorks = async (hub: TestHub, refresh: string) =>
  (await hub.call('/api/v1/token/refresh/', { body: { refresh } })).status;

function runFixture(home: string): Promise<{ status: string; message?: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', FIXTURE, home], (err, stdout, stderr) => {
      if (err) return reject(new Error(`${err.message}\n${stderr}`));
      resolve(JSON.parse(stdout));
    });
  });
}

test('refresh rotates the tokens and stores them; a fresh access token is used as it is', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.hub.close());
  const client = new FetchHubClient();
  t.teardown(() => client.close());
  const { home, answer } = await loggedIn(hub);
  const result = await refreshLogin(home, client);
  t.is(result.status, 'refreshed');
  const stored = readCredentials(home)!;
  t.not(stored.access_token, answer.access);
  t.not(stored.refresh_token, answer.refresh);
  t.like(stored, { hub_url: hub.url, username: 'ada', team_slug: 'acme' });
  t.true(Date.parse(stored.access_expires_at!) > Date.now() + 60_000);
  t.true(Date.parse(stored.refresh_expires_at!) > Date.parse(stored.access_expires_at!));
  // The new access token works at the hub.
  await t.notThrowsAsync(client.wsToken(hub.url, stored.access_token));
  // Not near expiry now: nothing is exchanged.
  const again = await refreshLogin(home, client);
  t.is(again.status, 'fresh');
  t.is(readCredentials(home)!.refresh_token, stored.refresh_token);
});

test('8 concurrent refreshes in separate processes: one rotation, nobody logged out, the stored refresh token still works', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.hub.close());
  const { home, answer } = await loggedIn(hub);
  const results = await Promise.all(Array.from({ length: 8 }, () => runFixture(home)));
  const statuses = results.map((r) => r.status).sort();
  t.deepEqual(statuses, ['fresh', 'fresh', 'fresh', 'fresh', 'fresh', 'fresh', 'fresh', 'refreshed'], JSON.stringify(results));
  const stored = readCredentials(home)!;
  t.not(stored.refresh_token, answer.refresh);
  t.is(new ConfAuthClient({ cwd: home, home, verbose: false }, createLogger({ color: false })).getTeamSlug(), 'acme');
  // Had any process presented a rotated token again, the hub would have revoked the whole login.
  t.is(await refreshWorks(hub, stored.refresh_token), 200);
});

test('a 401 on refresh is logged-out mode: tokens cleared, server and user kept, a clear message', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.hub.close());
  const client = new FetchHubClient();
  t.teardown(() => client.close());
  const { home, answer } = await loggedIn(hub);
  // Another machine rotated this refresh token: presenting it again is refused.
  t.is(await refreshWorks(hub, answer.refresh), 200);
  const result = await refreshLogin(home, client);
  t.is(result.status, 'logged_out');
  if (result.status !== 'logged_out') return;
  t.regex(result.message, /spec-kitty auth login/);
  t.false(result.message.includes(answer.refresh));
  t.like(result, { hub_url: hub.url, username: 'ada' });
  const stored = readCredentials(home)!;
  t.like(stored, { hub_url: hub.url, username: 'ada', access_token: '', refresh_token: '', team_slug: null });
  const status = new ConfAuthClient({ cwd: home, home, verbose: false }, createLogger({ color: false })).status();
  t.like(status, { loggedIn: false, teamSlug: 'local' });
  // Asked again, it stays logged out without calling the hub.
  t.is((await refreshLogin(home, client)).status, 'logged_out');
});

test('an unreachable hub leaves the login as it was', async (t) => {
  const hub = await startHub();
  const client = new FetchHubClient();
  t.teardown(() => client.close());
  const { home } = await loggedIn(hub);
  const before = readCredentials(home);
  await hub.hub.close();
  const result = await refreshLogin(home, client);
  t.is(result.status, 'unavailable');
  t.deepEqual(readCredentials(home), before);
});

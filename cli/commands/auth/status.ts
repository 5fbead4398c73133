import { messageOf } from '../../../core/errors.js';
import { readCredentials } from '../../../services/auth/credentials.js';
import { LOCAL_TEAM } from '../../../services/auth/auth-client.js';
import { bold, print, printJson, table } from '../../output.js';
import { specKittyHome } from '../../home.js';

const expired = (at: string | undefined, now: number) => (at ? Date.parse(at) <= now : null);

export async function authStatus(opts: { json?: boolean }): Promise<void> {
  const home = specKittyHome();
  const now = Date.now();
  let error: string | undefined;
  let c: ReturnType<typeof readCredentials> = null;
  try {
    c = readCredentials(home);
  } catch (err) {
    error = messageOf(err);
  }
  const loggedIn = Boolean(c && (c.refresh_token || c.access_token));
  if (!c || !loggedIn) {
    const report = {
      logged_in: false, team_slug: LOCAL_TEAM, username: c?.username || null, hub_url: c?.hub_url || null, ...(error ? { error } : {}),
    };
    if (opts.json) return printJson(report);
    if (error) print(`The stored login cannot be read (${error}).`);
    const last = report.hub_url ? ` (last: ${report.username ?? 'unknown user'} at ${report.hub_url})` : '';
    print(`Not logged in${last}. Events are attributed to team "${LOCAL_TEAM}".`);
    print('Log in with: spec-kitty auth login --server https://… --username NAME');
    return;
  }
  const report = {
    logged_in: true,
    username: c.username || null,
    team_slug: c.team_slug ?? LOCAL_TEAM,
    hub_url: c.hub_url || null,
    access_expires_at: c.access_expires_at ?? null,
    access_expired: expired(c.access_expires_at, now),
    refresh_expires_at: c.refresh_expires_at ?? null,
    refresh_expired: expired(c.refresh_expires_at, now),
  };
  if (opts.json) return printJson(report);
  const when = (at: string | null, gone: boolean | null) => (at === null ? 'unknown' : `${at}${gone ? ' (expired)' : ''}`);
  print(`Logged in as ${bold(report.username ?? 'unknown')}, team ${bold(report.team_slug)}.`);
  print(table([
    ['hub', report.hub_url ?? 'unknown'],
    ['access token expires', when(report.access_expires_at, report.access_expired)],
    ['refresh token expires', when(report.refresh_expires_at, report.refresh_expired)],
  ]));
  if (report.refresh_expired) print('The login has expired: run `spec-kitty auth login` to log in again.');
}

import { FetchHubClient } from '../../../services/hub-client/fetch-hub-client.js';
import { readCredentials, type StoredCredentials } from '../../../services/auth/credentials.js';
import { logOutLocally, withCredentialsLock } from '../../../services/auth/refresh.js';
import { print } from '../../output.js';
import { specKittyHome } from '../../home.js';
import { isHubFailure } from '../../../core/services.js';
import { hubFailureLine } from './hub-failure.js';

/** Revoking at the hub is best effort: it may not hold up the local logout for long. */
const LOGOUT_TIMEOUTS = { connectTimeoutMs: 2_000, totalTimeoutMs: 3_000 };

export async function logout(): Promise<void> {
  const home = specKittyHome();
  const lines = await withCredentialsLock(home, async () => {
    let stored: StoredCredentials | null = null;
    try {
      stored = readCredentials(home);
    } catch { /* an unreadable file is simply removed */ }
    const said: string[] = [];
    if (stored?.access_token && stored.hub_url) {
      const hub = new FetchHubClient(LOGOUT_TIMEOUTS);
      try {
        await hub.logout(stored.hub_url, stored.access_token, stored.refresh_token || undefined);
        said.push(`Revoked the login at ${stored.hub_url}.`);
      } catch (err) {
        const why = isHubFailure(err) ? hubFailureLine(err, stored.hub_url) : (err as Error).message;
        said.push(`Could not revoke the login at the hub (${why}); its tokens stay valid there until they expire.`);
      } finally {
        await hub.close();
      }
    }
    const had = Boolean(stored && (stored.access_token || stored.refresh_token));
    await logOutLocally(home, stored);
    said.push(had ? 'Forgot the login on this machine; events are attributed to team "local".' : 'Not logged in; nothing stored here to forget.');
    return said;
  });
  for (const line of lines) print(line);
}

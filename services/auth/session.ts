import { inject, injectable } from 'inversify';
import type { HubAccess, HubClient, HubSession, RuntimeOptions } from '../../core/services.js';
import { TOKENS } from '../../core/tokens.js';
import type { Logger } from '../../lib/logger.js';
import { LOCAL_TEAM } from './auth-client.js';
import { refreshLogin } from './refresh.js';
import { pluginScope } from '../../core/plugin-scope.js';

/**
 * The stored login as senders use it. Every answer comes from `refreshLogin`, which reads the
 * store under the credentials lock, so a token another process rotated is picked up and a
 * rotated refresh token is never presented twice.
 */
@injectable()
export class StoredHubSession implements HubSession {
  constructor(
    @inject(TOKENS.Options) private readonly options: RuntimeOptions,
    @inject(TOKENS.HubClient) private readonly hub: HubClient,
    @inject(TOKENS.Logger) private readonly logger: Logger,
  ) {}

  async access(options: { force?: boolean } = {}): Promise<HubAccess | null> {
    // Outside any plugin's scope: the refresh is the session's work, not the calling plugin's, so
    // the handles of one in flight are never let go when the command ends; the process waits for
    // it to be saved (the hub client's timeouts bound that).
    const result = await pluginScope.exit(() => refreshLogin(this.options.home, this.hub, { force: options.force }));
    switch (result.status) {
      case 'fresh':
      case 'refreshed': {
        const c = result.credentials;
        return { server: c.hub_url, token: c.access_token, teamSlug: c.team_slug ?? LOCAL_TEAM, username: c.username };
      }
      case 'logged_out':
        // Only a login the hub refused just now is news; never logged in is the quiet default.
        if (result.refused) this.logger.warnOnce('session:logged-out', result.message);
        return null;
      case 'unavailable':
        throw result.failure;
    }
  }
}

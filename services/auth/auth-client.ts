import { statSync } from 'node:fs';
import { inject, injectable } from 'inversify';
import type { Logger } from '../../lib/logger.js';
import type { AuthClient, AuthStatus, RuntimeOptions } from '../../core/services.js';
import { TOKENS } from '../../core/tokens.js';
import { credentialsPath, readCredentials } from './credentials.js';

export const LOCAL_TEAM = 'local';
const LOGGED_OUT: AuthStatus = { loggedIn: false, teamSlug: LOCAL_TEAM, username: null, hubUrl: null };

/**
 * The read side of the stored login (written by `saveCredentials`, conf-managed). Reading
 * skips conf entirely, and no file means "local" without reading anything.
 */
@injectable()
export class ConfAuthClient implements AuthClient {
  private cached?: { key: string; status: AuthStatus };

  constructor(
    @inject(TOKENS.Options) private readonly options: RuntimeOptions,
    @inject(TOKENS.Logger) private readonly logger: Logger,
  ) {}

  getTeamSlug(): string {
    return this.status().teamSlug;
  }

  status(): AuthStatus {
    const file = credentialsPath(this.options.home);
    const stat = statSync(file, { throwIfNoEntry: false });
    if (!stat) return LOGGED_OUT;
    // Re-read only when the file changed, so stamping many events costs one stat each.
    const key = `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
    if (this.cached?.key === key) return this.cached.status;
    const status = this.read();
    this.cached = { key, status };
    return status;
  }

  private read(): AuthStatus {
    try {
      const c = readCredentials(this.options.home);
      if (!c || (!c.refresh_token && !c.access_token)) return LOGGED_OUT;
      return { loggedIn: true, teamSlug: c.team_slug ?? LOCAL_TEAM, username: c.username || null, hubUrl: c.hub_url || null };
    } catch (err) {
      this.logger.warnOnce('auth:credentials', `cannot read the stored login: ${(err as Error).message}. ` +
        `Events are attributed to team "${LOCAL_TEAM}"; log in again to replace the file.`);
      return LOGGED_OUT;
    }
  }
}

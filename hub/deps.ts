import type { FailureLimiter } from './auth/rate-limit.js';
import type { SessionService } from './auth/sessions.js';
import type { TokenService } from './auth/tokens.js';
import type { HubStorage } from './storage/storage.js';

/** What the hub's routes are built on: one storage, one token service, the dashboard's sessions, the login limiters. */
export interface HubDeps {
  storage: HubStorage;
  tokens: TokenService;
  sessions: SessionService;
  /** Failed logins per user name, and per client address (looser: many users may share one). */
  limiters: { user: FailureLimiter; address: FailureLimiter };
  now(): number;
}

import type { FailureLimiter } from './auth/rate-limit.js';
import type { TokenService } from './auth/tokens.js';
import type { HubStorage } from './storage/storage.js';

/** What the hub's routes are built on: one storage, one token service, one login limiter. */
export interface HubDeps {
  storage: HubStorage;
  tokens: TokenService;
  limiter: FailureLimiter;
  now(): number;
}

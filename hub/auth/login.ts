import type { HubDeps } from '../deps.js';
import { HttpError } from '../http/errors.js';
import type { User } from '../storage/storage.js';
import { verifyNoUser, verifyPassword } from './passwords.js';

/** 429 past a login limiter; the route adds `Retry-After` from `retry_after`. */
export const tooManyLogins = (retryAfterSeconds: number) =>
  new HttpError(429, 'rate_limited', `too many failed logins; try again in ${retryAfterSeconds} s`, { retry_after: retryAfterSeconds });

/**
 * A username and password checked under the hub's login limiters: the API's token login and the
 * dashboard's sign-in share them, so neither is a way around the other's count. 429 past a
 * limit (with `onLimited` told the seconds to wait), 401 for a wrong name or password.
 */
export async function checkLogin(
  { storage, limiters }: Pick<HubDeps, 'storage' | 'limiters'>,
  username: string, password: string, address: string,
  onLimited: (retryAfterSeconds: number) => void,
): Promise<User> {
  // Failures are counted per user and per address: guessing at one account, or at many from one place.
  const counted = [[limiters.user, username], [limiters.address, address]] as const;
  for (const [limiter, key] of counted) {
    const verdict = limiter.check(key);
    if (!verdict.allowed) {
      onLimited(verdict.retryAfterSeconds);
      throw tooManyLogins(verdict.retryAfterSeconds);
    }
  }
  // Counted as a failure before the (slow) hash: guesses sent at once cannot all pass the check.
  for (const [limiter, key] of counted) limiter.fail(key);
  let user;
  let ok: boolean;
  try {
    user = await storage.findUser(username);
    // A missing user costs a hash too, so timing does not tell which names exist.
    ok = user ? await verifyPassword(password, user.passwordHash) : await verifyNoUser(password);
  } catch (error) {
    // Not a wrong password (the database is down, say): no one is to be locked out for it.
    for (const [limiter, key] of counted) limiter.forgive(key);
    throw error;
  }
  if (!user || !ok) throw new HttpError(401, 'invalid_credentials', 'wrong username or password');
  // The right password clears its user's count, and takes back only its own attempt from the
  // address: logging in to one account must not reset guessing at others.
  limiters.user.succeed(username);
  limiters.address.forgive(address);
  return user;
}

import { mkdirSync } from 'node:fs';
import type { TokenResponse } from '../../contract/index.js';
import { isHubFailure, type HubClient, type HubFailure } from '../../core/services.js';
import { withLock } from '../../lib/lock.js';
import { clearCredentials, saveCredentials } from './credentials-store.js';
import { credentialsPath, readCredentials, type Credentials, type StoredCredentials } from './credentials.js';

/** An access token with less than this left is refreshed before use. */
export const REFRESH_MARGIN_MS = 60_000;

/** The lock every writer of the stored login holds (a refresh holds it for the whole exchange). */
const LOCK_OPTIONS = { waitMs: 30_000, staleMs: 20_000 } as const;

/** What the user is told when the login is gone. */
export const LOGIN_AGAIN = 'run `spec-kitty auth login` to log in again; until then events keep queueing, attributed to team "local"';

/** Runs `fn` holding the cross-process lock on the credentials file of `home`. */
export function withCredentialsLock<T>(home: string, fn: () => T | Promise<T>): Promise<T> {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  return withLock(credentialsPath(home), LOCK_OPTIONS, fn);
}

/** The credentials a token answer stands for, its lifetimes turned into instants from `now`. */
export function credentialsFromToken(answer: TokenResponse, where: { hub_url: string; username: string }, now: number): Credentials {
  return {
    hub_url: where.hub_url,
    username: where.username,
    team_slug: answer.team_slug,
    access_token: answer.access,
    refresh_token: answer.refresh,
    access_expires_at: new Date(now + answer.access_lifetime * 1000).toISOString(),
    refresh_expires_at: new Date(now + answer.refresh_lifetime * 1000).toISOString(),
  };
}

/** True when the access token is missing, has no known expiry, or has less than `marginMs` left. */
export function accessNearExpiry(c: Pick<Credentials, 'access_token' | 'access_expires_at'>, now: number, marginMs = REFRESH_MARGIN_MS): boolean {
  if (!c.access_token || !c.access_expires_at) return true;
  const at = Date.parse(c.access_expires_at);
  return !Number.isFinite(at) || at - now < marginMs;
}

export type RefreshResult =
  /** The stored access token is good for a while (maybe another process just refreshed it): used as is. */
  | { status: 'fresh'; credentials: StoredCredentials }
  /** This call rotated the tokens and stored the new pair. */
  | { status: 'refreshed'; credentials: StoredCredentials }
  /** No login is stored (never logged in, or logged out); `refused`: the hub refused it just now. */
  | { status: 'logged_out'; message: string; hub_url: string | null; username: string | null; refused?: true }
  /** The hub could not be asked (network, timeout, 5xx, 429…): the stored login is kept as it was. */
  | { status: 'unavailable'; message: string; failure: HubFailure };

export interface RefreshOptions {
  /** The clock (ms since the epoch); Date.now by default. */
  now?: () => number;
  /** Refresh when less than this is left on the access token; REFRESH_MARGIN_MS by default. */
  marginMs?: number;
  /** Refresh even when the access token is not near expiry. */
  force?: boolean;
}

/**
 * Makes sure the stored access token is usable, refreshing it when near expiry. Safe across
 * processes: it holds the credentials lock for the whole exchange and decides only on what it
 * reads after taking it, so of several concurrent callers one rotates and the others use its
 * tokens; a rotated refresh token is never presented twice. A 401 on refresh is logged-out mode:
 * the tokens are cleared (server and user name kept) and the result says to log in again.
 */
export function refreshLogin(home: string, hub: HubClient, options: RefreshOptions = {}): Promise<RefreshResult> {
  const now = options.now ?? Date.now;
  return withCredentialsLock(home, async (): Promise<RefreshResult> => {
    let stored: StoredCredentials | null;
    try {
      stored = readCredentials(home);
    } catch (err) {
      return { status: 'logged_out', message: `${(err as Error).message}; ${LOGIN_AGAIN}`, hub_url: null, username: null };
    }
    if (!stored || !stored.refresh_token || !stored.hub_url) {
      return { status: 'logged_out', message: `not logged in: ${LOGIN_AGAIN}`, hub_url: stored?.hub_url || null, username: stored?.username || null };
    }
    if (!options.force && !accessNearExpiry(stored, now(), options.marginMs)) return { status: 'fresh', credentials: stored };
    let answer: TokenResponse;
    try {
      answer = await hub.refresh(stored.hub_url, stored.refresh_token);
    } catch (err) {
      if (!isHubFailure(err)) throw err;
      if (err.kind === 'unauthorized') {
        await logOutLocally(home, stored);
        return {
          status: 'logged_out',
          message: `the hub no longer accepts this login (${stored.username || 'unknown user'} at ${stored.hub_url}): ${LOGIN_AGAIN}`,
          hub_url: stored.hub_url, username: stored.username || null, refused: true,
        };
      }
      return { status: 'unavailable', message: `could not refresh the login at ${stored.hub_url}: ${err.message}`, failure: err };
    }
    const credentials = credentialsFromToken(answer, stored, now());
    await saveCredentials(home, credentials);
    return { status: 'refreshed', credentials: { version: stored.version, ...credentials } };
  });
}

/** Forgets the tokens but keeps where and as whom the user logged in, for the next `auth login`. */
export async function logOutLocally(home: string, stored: Pick<Credentials, 'hub_url' | 'username'> | null): Promise<void> {
  if (!stored || (!stored.hub_url && !stored.username)) {
    clearCredentials(home);
    return;
  }
  await saveCredentials(home, { hub_url: stored.hub_url, username: stored.username, team_slug: null, access_token: '', refresh_token: '' });
}

import { randomBytes } from 'node:crypto';
import type { HubStorage, User } from '../storage/storage.js';
import { AuthError, hashToken, mintToken, sessionFamily, type Authenticated } from './tokens.js';

// Dashboard sessions: a sign-in at `/` gives one opaque token (256 random bits, like the API's),
// carried by an httpOnly cookie and stored only as its SHA-256 hash, as a token of kind
// `session`. It lives `ttlMs` from sign-in (no sliding renewal: a stolen cookie stops then at
// the latest), sign-out revokes it, and removing the user revokes it with their other tokens.

export const DEFAULT_SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export interface SessionGrant {
  token: string;
  expiresAt: number;
}

export class SessionService {
  readonly ttlMs: number;
  readonly #storage: HubStorage;
  readonly #now: () => number;

  constructor(storage: HubStorage, options: { ttlMs?: number; now?: () => number } = {}) {
    const { ttlMs = DEFAULT_SESSION_TTL_MS, now = () => Date.now() } = options;
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError('ttlMs must be a number of milliseconds > 0');
    this.ttlMs = ttlMs;
    this.#storage = storage;
    this.#now = now;
  }

  /** A new session for a user whose password the caller checked. */
  async start(user: User): Promise<SessionGrant> {
    const token = mintToken();
    const expiresAt = this.#now() + this.ttlMs;
    await this.#storage.putToken({
      hash: hashToken(token), kind: 'session', userId: user.id, family: randomBytes(16).toString('base64url'),
      expiresAt, usedAt: null, revokedAt: null,
    });
    return { token, expiresAt };
  }

  /** The user and team of a live session; AuthError otherwise. The user is read every time. */
  async authenticate(token: string): Promise<Authenticated> {
    if (token.length === 0 || token.length > 512) throw new AuthError('invalid_token');
    const stored = await this.#storage.findToken(hashToken(token));
    if (!stored || stored.kind !== 'session') throw new AuthError('invalid_token');
    if (stored.revokedAt !== null) throw new AuthError('revoked');
    if (stored.expiresAt <= this.#now()) throw new AuthError('expired');
    const user = await this.#storage.findUserById(stored.userId);
    if (!user) throw new AuthError('user_removed');
    return { user, team: user.team };
  }

  /**
   * Revokes the session (sign-out), and the ws tokens it asked for that are not spent yet. An
   * unknown or already ended one is no error. The hash of the ended session, for closing its
   * sockets (hub/live/fanout.ts `closeSession`); null when there was none.
   */
  async end(token: string): Promise<string | null> {
    if (token.length === 0 || token.length > 512) return null;
    const stored = await this.#storage.findToken(hashToken(token));
    if (!stored || stored.kind !== 'session') return null;
    const now = this.#now();
    await this.#storage.revokeToken(stored.hash, now);
    await this.#storage.revokeFamily(sessionFamily(stored.hash), now);
    return stored.hash;
  }

  /** Whether the session with this hash is still live: stored, not revoked, not expired, its user not removed. */
  async isLive(hash: string): Promise<boolean> {
    const stored = await this.#storage.findToken(hash);
    if (!stored || stored.kind !== 'session' || stored.revokedAt !== null || stored.expiresAt <= this.#now()) return false;
    return (await this.#storage.findUserById(stored.userId)) !== null;
  }
}

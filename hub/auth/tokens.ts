import { createHash, randomBytes } from 'node:crypto';
import type { TokenResponse } from '../../contract/sync.js';
import type { HubStorage, StoredToken, Team, TokenKind, User } from '../storage/storage.js';

// Opaque tokens (DESIGN §6): 256 random bits, handed out once and stored only as SHA-256 hashes.
// A login starts a family; its access and refresh tokens all belong to it. A refresh rotates the
// refresh token within the family, and a refresh token presented a second time (stolen, or raced)
// revokes the whole family: every access and refresh token of that login.

export const TOKEN_BYTES = 32;

/** A new opaque token: 32 random bytes (256 bits), base64url. */
export function mintToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** What storage keeps of a token: SHA-256, hex. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export type AuthErrorCode =
  /** Unknown, malformed, or a token of another kind. */
  | 'invalid_token'
  /** A refresh token presented again after it was rotated: its family is now revoked. */
  | 'token_reused'
  /** A single-use ws token presented again. */
  | 'token_used'
  | 'expired'
  | 'revoked'
  /** The token's user has been removed. */
  | 'user_removed';

const MESSAGES: Record<AuthErrorCode, string> = {
  invalid_token: 'the token is not valid',
  token_reused: 'the refresh token was already used; every token of its login is revoked, log in again',
  token_used: 'the token was already used',
  expired: 'the token has expired',
  revoked: 'the token has been revoked',
  user_removed: 'the user no longer exists',
};

/** Every token failure; the routes answer 401 with its code. It never carries the token. */
export class AuthError extends Error {
  readonly status = 401;
  constructor(readonly code: AuthErrorCode, message: string = MESSAGES[code]) {
    super(message);
    this.name = 'AuthError';
  }
}

export interface TokenServiceOptions {
  accessTtlMs?: number;
  refreshTtlMs?: number;
  wsTtlMs?: number;
  now?: () => number;
}

export interface Authenticated {
  user: User;
  team: Team;
}

export interface WsTokenGrant {
  ws_token: string;
  /** Seconds, as in contract/sync.ts WsTokenResponse. */
  expires_in: number;
}

const MINUTE = 60_000;

export class TokenService {
  readonly accessTtlMs: number;
  readonly refreshTtlMs: number;
  readonly wsTtlMs: number;
  readonly #storage: HubStorage;
  readonly #now: () => number;

  constructor(storage: HubStorage, options: TokenServiceOptions = {}) {
    const { accessTtlMs = 15 * MINUTE, refreshTtlMs = 7 * 24 * 60 * MINUTE, wsTtlMs = MINUTE, now = () => Date.now() } = options;
    for (const [name, value] of Object.entries({ accessTtlMs, refreshTtlMs, wsTtlMs })) {
      if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a number of milliseconds > 0`);
    }
    this.#storage = storage;
    this.accessTtlMs = accessTtlMs;
    this.refreshTtlMs = refreshTtlMs;
    this.wsTtlMs = wsTtlMs;
    this.#now = now;
  }

  /** A new login (the password was checked by the caller): a new family, an access and a refresh token. */
  async login(user: User): Promise<TokenResponse> {
    return this.#issuePair(user, newFamily(), this.#now());
  }

  /**
   * Rotates a refresh token: the old one is marked used and a new pair is issued in its family.
   * A refresh token used before (a replay, or the loser of two concurrent refreshes) revokes the
   * whole family and fails with `token_reused`.
   */
  async refresh(refreshToken: string): Promise<TokenResponse> {
    const now = this.#now();
    const hash = hashOf(refreshToken);
    const stored = hash === null ? null : await this.#storage.findToken(hash);
    if (!stored || stored.kind !== 'refresh') throw new AuthError('invalid_token');
    if (stored.revokedAt !== null) throw new AuthError('revoked');
    if (stored.usedAt !== null) return this.#reused(stored, now);
    if (stored.expiresAt <= now) throw new AuthError('expired');

    if (!(await this.#storage.useToken(stored.hash, now))) {
      // Someone else got there between our read and our claim: say why, as a fresh read shows it.
      const again = await this.#storage.findToken(stored.hash);
      if (!again) throw new AuthError('invalid_token');
      if (again.revokedAt !== null) throw new AuthError('revoked');
      if (again.usedAt !== null) return this.#reused(again, now);
      throw new AuthError('expired');
    }

    const user = await this.#userById(stored.userId);
    if (!user) throw new AuthError('user_removed');
    const response = await this.#issuePair(user, stored.family, now);

    // A concurrent reuse may have revoked the family before our new tokens were stored, which
    // would leave them outside the revocation. Look again, and revoke once more if so: the new
    // tokens then fail on first use, like the rest of the family.
    const after = await this.#storage.findToken(stored.hash);
    if (!after || after.revokedAt !== null) await this.#storage.revokeFamily(stored.family, this.#now());
    return response;
  }

  /** The user and team an access token stands for. */
  async authenticate(accessToken: string): Promise<Authenticated> {
    const stored = await this.#live(accessToken, 'access');
    const user = await this.#userById(stored.userId);
    if (!user) throw new AuthError('user_removed');
    return { user, team: user.team };
  }

  /**
   * A single-use token for the WebSocket upgrade, valid for `wsTtlMs` (60 s). `session`, the hash
   * of the dashboard session that asks for it, binds the token and the socket it opens to that
   * session: the token is refused once the session ended, and the socket closes with it.
   */
  async issueWsToken(user: User, session?: string): Promise<WsTokenGrant> {
    const now = this.#now();
    const token = mintToken();
    const family = session === undefined ? newFamily() : sessionFamily(session);
    await this.#storage.putToken(this.#record(token, 'ws', user.id, family, now + this.wsTtlMs));
    return { ws_token: token, expires_in: seconds(this.wsTtlMs) };
  }

  /** Spends a ws token: the first use answers its user, every later one fails. */
  async consumeWsToken(wsToken: string): Promise<User> {
    return (await this.consumeWsGrant(wsToken)).user;
  }

  /**
   * Spends a ws token: its user and, for a token a dashboard session asked for, that session's
   * hash (null for the API's). A session-bound token fails once its session is no longer live.
   */
  async consumeWsGrant(wsToken: string): Promise<{ user: User; session: string | null }> {
    const now = this.#now();
    const stored = await this.#live(wsToken, 'ws', now);
    if (stored.usedAt !== null) throw new AuthError('token_used');
    if (!(await this.#storage.useToken(stored.hash, now))) {
      const again = await this.#storage.findToken(stored.hash);
      if (!again) throw new AuthError('invalid_token');
      if (again.revokedAt !== null) throw new AuthError('revoked');
      if (again.usedAt !== null) throw new AuthError('token_used');
      throw new AuthError('expired');
    }
    const session = sessionOfFamily(stored.family);
    if (session !== null) {
      const held = await this.#storage.findToken(session);
      if (!held || held.kind !== 'session' || held.userId !== stored.userId) throw new AuthError('invalid_token');
      if (held.revokedAt !== null) throw new AuthError('revoked');
      if (held.expiresAt <= now) throw new AuthError('expired');
    }
    const user = await this.#userById(stored.userId);
    if (!user) throw new AuthError('user_removed');
    return { user, session };
  }

  /**
   * Revokes the login the access token belongs to: the access token, its family, and the family
   * of `refreshToken` when that is the same user's. The access token must still be valid.
   */
  async logout(accessToken: string, refreshToken?: string): Promise<void> {
    const now = this.#now();
    const access = await this.#live(accessToken, 'access', now);
    await this.#storage.revokeToken(access.hash, now);
    await this.#storage.revokeFamily(access.family, now);
    if (refreshToken === undefined) return;
    const hash = hashOf(refreshToken);
    const refresh = hash === null ? null : await this.#storage.findToken(hash);
    // Another user's refresh token is never touched; a stale or unknown one is simply ignored.
    if (refresh && refresh.kind === 'refresh' && refresh.userId === access.userId && refresh.family !== access.family) {
      await this.#storage.revokeFamily(refresh.family, now);
    }
  }

  async #reused(stored: StoredToken, now: number): Promise<never> {
    await this.#storage.revokeFamily(stored.family, now);
    throw new AuthError('token_reused');
  }

  /** A stored token of this kind, neither revoked nor expired. */
  async #live(token: string, kind: TokenKind, now = this.#now()): Promise<StoredToken> {
    const hash = hashOf(token);
    const stored = hash === null ? null : await this.#storage.findToken(hash);
    if (!stored || stored.kind !== kind) throw new AuthError('invalid_token');
    if (stored.revokedAt !== null) throw new AuthError('revoked');
    if (stored.expiresAt <= now) throw new AuthError('expired');
    return stored;
  }

  async #issuePair(user: User, family: string, now: number): Promise<TokenResponse> {
    const access = mintToken();
    const refresh = mintToken();
    await this.#storage.putToken(this.#record(access, 'access', user.id, family, now + this.accessTtlMs));
    await this.#storage.putToken(this.#record(refresh, 'refresh', user.id, family, now + this.refreshTtlMs));
    return {
      access,
      refresh,
      access_lifetime: seconds(this.accessTtlMs),
      refresh_lifetime: seconds(this.refreshTtlMs),
      team_slug: user.team.slug,
    };
  }

  #record(token: string, kind: TokenKind, userId: number, family: string, expiresAt: number): StoredToken {
    return { hash: hashToken(token), kind, userId, family, expiresAt, usedAt: null, revokedAt: null };
  }

  /** Read on every call, not cached: a removed user's tokens must stop at once. */
  #userById(id: number): Promise<User | null> {
    return this.#storage.findUserById(id);
  }
}

/** The hash of a well-formed token, or null for anything that cannot be one (never stored). */
function hashOf(token: unknown): string | null {
  if (typeof token !== 'string' || token.length === 0 || token.length > 512) return null;
  return hashToken(token);
}

const seconds = (ms: number) => Math.floor(ms / 1000);

/** The family of the ws tokens a dashboard session asks for: its hash (a hash, never the token), prefixed. */
export const sessionFamily = (sessionHash: string) => `session:${sessionHash}`;

/** The session hash a ws token's family names, or null for a token that is not session-bound. */
export function sessionOfFamily(family: string): string | null {
  return /^session:[0-9a-f]{64}$/.test(family) ? family.slice('session:'.length) : null;
}

/** A family id: random, and not a token (it is stored as it is). */
const newFamily = () => randomBytes(16).toString('base64url');

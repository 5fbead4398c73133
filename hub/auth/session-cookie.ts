import type { FastifyReply, FastifyRequest } from 'fastify';
import { bearerToken } from '../http/bearer.js';
import { unauthorized } from '../http/errors.js';
import type { Authenticated, TokenService } from './tokens.js';
import type { SessionService } from './sessions.js';

// The dashboard's session cookie. httpOnly (the page's scripts never see it), SameSite=Strict (no
// other site's page makes the browser send it), Secure unless the hub listens on loopback (where
// plain http is the only way in), and Max-Age the session's lifetime.

export const SESSION_COOKIE = 'sk_session';

export interface CookieOptions {
  secure: boolean;
}

/** The session token the request's Cookie header carries, if any. */
export function sessionToken(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    // Tokens are base64url: anything else is no token of ours (and is never echoed back).
    return /^[A-Za-z0-9_-]{1,512}$/.test(value) ? value : undefined;
  }
  return undefined;
}

export function setSessionCookie(reply: FastifyReply, token: string, maxAgeMs: number, options: CookieOptions): void {
  void reply.header('set-cookie', cookie(token, Math.floor(maxAgeMs / 1000), options));
}

export function clearSessionCookie(reply: FastifyReply, options: CookieOptions): void {
  void reply.header('set-cookie', cookie('', 0, options));
}

const cookie = (value: string, maxAgeSeconds: number, { secure }: CookieOptions) =>
  `${SESSION_COOKIE}=${value}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;

/**
 * Who is calling a read route: `Authorization: Bearer <access>` as ever (2.x clients, the CLI),
 * or, with no Authorization header, the dashboard's session cookie. Reads only: a route that
 * changes anything on a cookie must also pass the dashboard's CSRF check.
 */
export async function callerOf(request: FastifyRequest, { tokens, sessions }: { tokens: TokenService; sessions: SessionService }): Promise<Authenticated> {
  if (request.headers.authorization !== undefined) return tokens.authenticate(bearerToken(request));
  const session = sessionToken(request);
  if (session !== undefined) return sessions.authenticate(session);
  throw unauthorized();
}

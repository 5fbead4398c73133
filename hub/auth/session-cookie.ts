import type { FastifyReply, FastifyRequest } from 'fastify';
import { bearerToken } from '../http/bearer.js';
import { unauthorized } from '../http/errors.js';
import type { Authenticated, TokenService } from './tokens.js';
import type { SessionService } from './sessions.js';

// The dashboard's session cookie. httpOnly (the page's scripts never see it), SameSite=Strict (no
// other site's page makes the browser send it), Secure when the hub is reached over https (its
// --public-url) or, without one, unless it listens on loopback (hub/serve.ts), and Max-Age the
// session's lifetime. A Secure cookie is named with the `__Host-` prefix, which browsers only
// accept Secure, host-only and on Path=/ (so no sibling subdomain, nor plain http, can plant
// one); only that name is read then.

export const SESSION_COOKIE = 'sk_session';
export const SECURE_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;

export interface CookieOptions {
  secure: boolean;
}

/** The cookie's name: `__Host-sk_session` when Secure, `sk_session` otherwise. */
export const sessionCookieName = ({ secure }: CookieOptions) => (secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE);

/** The session token the request's Cookie header carries under this hub's cookie name, if any. */
export function sessionToken(request: FastifyRequest, options: CookieOptions = { secure: false }): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return undefined;
  const name = sessionCookieName(options);
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
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

const cookie = (value: string, maxAgeSeconds: number, options: CookieOptions) =>
  `${sessionCookieName(options)}=${value}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${options.secure ? '; Secure' : ''}`;

/**
 * Who is calling a read route: `Authorization: Bearer <access>` as ever (2.x clients, the CLI),
 * or, without a Bearer header, the dashboard's session cookie: an Authorization of another scheme
 * (Basic, added by a proxy in front of the hub) is not ours and does not hide the cookie. Reads
 * only: a route that changes anything on a cookie must also pass the dashboard's CSRF check.
 */
export async function callerOf(
  request: FastifyRequest,
  { tokens, sessions }: { tokens: TokenService; sessions: SessionService },
  cookies: CookieOptions = { secure: false },
): Promise<Authenticated> {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string' && /^Bearer(\s|$)/i.test(authorization.trimStart())) return tokens.authenticate(bearerToken(request));
  const session = sessionToken(request, cookies);
  if (session !== undefined) return sessions.authenticate(session);
  throw unauthorized();
}

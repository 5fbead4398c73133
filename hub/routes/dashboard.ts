import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TokenRequestSchema, type TokenRequest } from '../../contract/sync.js';
import { checkLogin } from '../auth/login.js';
import { AuthError, hashToken } from '../auth/tokens.js';
import { clearSessionCookie, sessionToken, setSessionCookie, type CookieOptions } from '../auth/session-cookie.js';
import type { HubDeps } from '../deps.js';
import { HttpError, unauthorized } from '../http/errors.js';
import type { LiveHub } from '../live/fanout.js';

// The dashboard (issue 15): a static page at `/` (hub/dashboard/: plain ES modules and CSS, no
// build step), its assets under content-hashed URLs cached for a year, and the session API it
// signs in with. The page reads the board over the hub's WebSocket and the read API, with its
// session cookie; the API's bearer tokens work as they always did.

export interface DashboardOptions {
  /** Mark the session cookie Secure (and name it `__Host-sk_session`): hub/serve.ts decides. */
  secureCookie?: boolean;
  /**
   * The origin browsers reach the hub at (`https://hub.example.com`, from `--public-url`) when
   * a proxy stands in front of it: the CSRF check compares a request's Origin with it instead of
   * the Host header (which the proxy may set to the hub's own address), and the page's CSP names it.
   */
  publicOrigin?: string;
  /** The folder of the page's files (default: hub/dashboard/, or dist/dashboard/ beside the bundle). */
  assetsDir?: string;
}

/** Every non-GET dashboard request must carry this header: a cross-site form cannot, and a cross-site fetch with it needs a CORS preflight the hub never grants. */
export const CSRF_HEADER = 'x-spec-kitty-dashboard';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

interface Assets {
  /** Changes whenever any file does: the folder of the immutable URLs. */
  hash: string;
  index: string;
  files: Map<string, { body: Buffer; type: string }>;
}

/** The page's folder: hub/dashboard/ from source, dist/dashboard/ beside the hub's bundle. */
function defaultAssetsDir(): string {
  const here = import.meta.url;
  for (const relative of ['./dashboard/', '../dashboard/']) {
    const dir = fileURLToPath(new URL(relative, here));
    if (existsSync(join(dir, 'index.html'))) return dir;
  }
  throw new Error('the dashboard\'s files are missing: expected hub/dashboard/ or dist/dashboard/ (npm run build)');
}

function loadAssets(dir: string): Assets {
  const files = new Map<string, { body: Buffer; type: string }>();
  const hash = createHash('sha256');
  for (const name of readdirSync(dir).sort()) {
    const type = TYPES[extname(name)];
    if (!type || name === 'index.html') continue;
    const body = readFileSync(join(dir, name));
    files.set(name, { body, type });
    hash.update(name).update('\0').update(body).update('\0');
  }
  const short = hash.digest('hex').slice(0, 16);
  const index = readFileSync(join(dir, 'index.html'), 'utf8').replaceAll('/assets/HASH/', `/assets/${short}/`);
  return { hash: short, index, files };
}

/** The page's policy: its own scripts and styles only, nothing inline, and connections to this hub and its WebSocket. */
export function contentSecurityPolicy(host: string | undefined, secure: boolean): string {
  // The host is the request's own: it only names this hub back to the browser that asked.
  const ws = host && /^[A-Za-z0-9.\-:[\]]{1,300}$/.test(host) ? ` ${secure ? 'wss' : 'ws'}://${host}` : '';
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    `connect-src 'self'${ws}`,
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const IMMUTABLE = 'public, max-age=31536000, immutable';

export async function dashboardRoutes(app: FastifyInstance, deps: HubDeps, options: DashboardOptions = {}, live?: LiveHub): Promise<void> {
  const { storage, tokens, sessions, limiters } = deps;
  // A session that ends takes its sockets with it (other hub processes close theirs at their next sweep).
  const endSession = async (token: string) => {
    const ended = await sessions.end(token);
    if (ended !== null) live?.closeSession(ended, 'signed out');
  };
  const cookies: CookieOptions = { secure: options.secureCookie ?? true };
  const publicUrl = options.publicOrigin === undefined ? undefined : new URL(options.publicOrigin);
  const sameOrigin = (request: FastifyRequest) => checkSameOrigin(request, publicUrl?.origin);
  let assets: Assets | undefined;
  // Read on first request, not at start: a hub that is only an API never touches the files.
  const current = () => (assets ??= loadAssets(options.assetsDir ?? defaultAssetsDir()));

  const page = async (request: FastifyRequest, reply: FastifyReply) => {
    const { index } = current();
    return reply
      .header('content-type', TYPES['.html'])
      .header('cache-control', 'no-store')
      .header('content-security-policy', publicUrl
        ? contentSecurityPolicy(publicUrl.host, publicUrl.protocol === 'https:')
        : contentSecurityPolicy(request.headers.host, cookies.secure))
      .header('x-content-type-options', 'nosniff')
      .header('x-frame-options', 'DENY')
      .header('referrer-policy', 'no-referrer')
      .header('cross-origin-opener-policy', 'same-origin')
      .send(index);
  };
  app.get('/', page);

  app.get<{ Params: { hash: string; name: string } }>('/assets/:hash/:name', async (request, reply) => {
    const { hash, files } = current();
    const file = request.params.hash === hash ? files.get(request.params.name) : undefined;
    if (!file) throw new HttpError(404, 'not_found', 'no such asset (the page may be older than the hub: reload it)');
    return reply
      .header('content-type', file.type)
      .header('cache-control', IMMUTABLE)
      .header('x-content-type-options', 'nosniff')
      .send(file.body);
  });

  /** Who is signed in: `{signed_in: false}` without a live session (the page then shows its form). */
  app.get('/dashboard/api/session', async (request, reply) => {
    void reply.header('cache-control', 'no-store');
    const token = sessionToken(request, cookies);
    if (token === undefined) return { signed_in: false };
    try {
      const { user, team } = await sessions.authenticate(token);
      return { signed_in: true, username: user.name, team_slug: team.slug };
    } catch (error) {
      if (error instanceof AuthError) return { signed_in: false, reason: error.code };
      throw error;
    }
  });

  app.post<{ Body: TokenRequest }>('/dashboard/api/session', { schema: { body: TokenRequestSchema } }, async (request, reply) => {
    sameOrigin(request);
    const { username, password } = request.body;
    const user = await checkLogin({ storage, limiters }, username, password, request.ip, (seconds) => { void reply.header('Retry-After', String(seconds)); });
    // A session already held by this browser ends: one sign-in, one live session.
    const previous = sessionToken(request, cookies);
    if (previous !== undefined) await endSession(previous);
    const session = await sessions.start(user);
    setSessionCookie(reply, session.token, sessions.ttlMs, cookies);
    void reply.header('cache-control', 'no-store');
    return { signed_in: true, username: user.name, team_slug: user.team.slug, expires_at: new Date(session.expiresAt).toISOString() };
  });

  app.post('/dashboard/api/sign-out', async (request, reply) => {
    sameOrigin(request);
    const token = sessionToken(request, cookies);
    if (token !== undefined) await endSession(token);
    clearSessionCookie(reply, cookies);
    return { status: 'signed_out' };
  });

  /** A ws token for the page's WebSocket, bound to the session: the socket closes when the session ends (sign-out, expiry, revocation). */
  app.post('/dashboard/api/ws-token', async (request, reply) => {
    sameOrigin(request);
    const token = sessionToken(request, cookies);
    if (token === undefined) throw unauthorized('not signed in');
    const { user } = await sessions.authenticate(token);
    void reply.header('cache-control', 'no-store');
    return tokens.issueWsToken(user, hashToken(token));
  });
}

/**
 * CSRF: a request that changes anything on the cookie must come from this hub's own page. The
 * cookie is SameSite=Strict already; on top of that the request must name this hub as its
 * Origin (browsers always send it on a POST) and carry the dashboard's header, which no form
 * can send and no other origin may send without a preflight the hub refuses. "This hub" is its
 * public origin when it has one (behind a proxy, whose Host may be the hub's own address), else
 * the request's Host.
 */
function checkSameOrigin(request: FastifyRequest, publicOrigin: string | undefined): void {
  const origin = request.headers.origin;
  let parsed: URL | undefined;
  try {
    parsed = typeof origin === 'string' ? new URL(origin) : undefined;
  } catch {
    parsed = undefined;
  }
  const matches = parsed !== undefined && (publicOrigin !== undefined ? parsed.origin === publicOrigin : parsed.host === request.headers.host);
  if (request.headers[CSRF_HEADER] !== '1' || !matches) {
    throw new HttpError(403, 'cross_origin', `refused: send this from the hub's own page (Origin must be this hub, with the ${CSRF_HEADER} header)`);
  }
}

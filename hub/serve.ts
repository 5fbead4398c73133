import { isLoopback } from '../lib/loopback.js';
import { FailureLimiter } from './auth/rate-limit.js';
import { SessionService } from './auth/sessions.js';
import { TokenService } from './auth/tokens.js';
import { buildHub } from './app.js';
import type { LiveOptions } from './live/fanout.js';
import type { HubStorage } from './storage/storage.js';

export interface ServeOptions {
  storage: HubStorage;
  host: string;
  port: number;
  log(line: string): void;
  /** Token lifetimes (defaults: access 15 min, refresh 7 days, ws 60 s). */
  accessTtlMs?: number;
  refreshTtlMs?: number;
  /** A dashboard session's lifetime (default 12 hours). */
  sessionTtlMs?: number;
  /** WebSocket keep-alive interval and send-buffer cap (defaults: 30 s, 1 MiB). */
  live?: LiveOptions;
  /**
   * Where browsers reach the hub, e.g. `https://hub.example.com` behind a TLS proxy: an http(s)
   * origin, no path, query or credentials. When given, the session cookie is Secure (and named
   * `__Host-sk_session`) exactly when it is https, and the dashboard's CSRF check compares Origin
   * with it. Without it: Secure unless the hub listens on loopback, and Origin against Host.
   */
  publicUrl?: string;
}

/** A `publicUrl` the hub cannot use; its message says why. */
export class PublicUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PublicUrlError';
  }
}

/** The origin of a public URL (`https://hub.example.com`, a trailing `/` allowed); PublicUrlError otherwise. */
export function parsePublicUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new PublicUrlError(`--public-url ${JSON.stringify(value)} is not a URL: give the address browsers use, e.g. https://hub.example.com`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new PublicUrlError(`--public-url must be http:// or https://, not ${url.protocol}`);
  if (url.username !== '' || url.password !== '') throw new PublicUrlError('--public-url must not hold a user name or password');
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || /[?#]/.test(value)) {
    throw new PublicUrlError('--public-url must be an origin only (https://host[:port]): the hub is served at the root, with no path, query or fragment');
  }
  return url;
}

/** The dashboard's cookie and CSRF settings, from where the hub listens and its public URL. */
export function dashboardSecurity(host: string, publicUrl: string | undefined): { secureCookie: boolean; publicOrigin?: string } {
  if (publicUrl === undefined) {
    // No public URL: Secure unless the hub listens on loopback, where plain http is the only way in.
    return { secureCookie: !isLoopback(host) };
  }
  const url = parsePublicUrl(publicUrl);
  return { secureCookie: url.protocol === 'https:', publicOrigin: url.origin };
}

export interface RunningHub {
  url: string;
  /** Stops taking requests, closes WebSockets with 1001, lets requests in flight finish, then closes the storage. */
  close(): Promise<void>;
}

const PRUNE_EVERY_MS = 60 * 60 * 1000;

// Five failed logins a minute per user, then 429 with Retry-After; an address (an office behind
// one NAT, a CI fleet) gets more room, since logins in flight count until they succeed.
const LOGIN_FAILURES_PER_USER = { max: 5, windowMs: 60_000 };
const LOGIN_FAILURES_PER_ADDRESS = { max: 30, windowMs: 60_000 };

/** Starts the hub on `host:port` (0: any free port) and says where. */
export async function serveHub(options: ServeOptions): Promise<RunningHub> {
  // Checked first: a bad --public-url is refused before anything is opened.
  let dashboard: ReturnType<typeof dashboardSecurity>;
  try {
    dashboard = dashboardSecurity(options.host, options.publicUrl);
  } catch (error) {
    await options.storage.close().catch(() => undefined);
    throw error;
  }
  const now = () => Date.now();
  await options.storage.migrate();
  const tokens = new TokenService(options.storage, { accessTtlMs: options.accessTtlMs, refreshTtlMs: options.refreshTtlMs, now });
  const limiters = { user: new FailureLimiter({ ...LOGIN_FAILURES_PER_USER, now }), address: new FailureLimiter({ ...LOGIN_FAILURES_PER_ADDRESS, now }) };
  const sessions = new SessionService(options.storage, { ttlMs: options.sessionTtlMs, now });
  const app = await buildHub({ storage: options.storage, tokens, sessions, limiters, now }, { log: options.log, live: options.live, dashboard });
  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (error) {
    await app.close().catch(() => undefined);
    await options.storage.close().catch(() => undefined);
    throw error;
  }
  // Expired tokens are deleted at start and hourly: every login and ws token adds rows, none may pile up.
  const pruneTokens = () => { void options.storage.pruneTokens(now()).catch(() => undefined); };
  pruneTokens();
  const prune = setInterval(pruneTokens, PRUNE_EVERY_MS).unref();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    close() {
      clearInterval(prune);
      closing ??= app.close().then(() => options.storage.close());
      return closing;
    },
  };
}

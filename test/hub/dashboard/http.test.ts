import test from 'ava';
import Database from 'better-sqlite3';
import { FailureLimiter } from '../../../hub/auth/rate-limit.js';
import { SessionService } from '../../../hub/auth/sessions.js';
import { TokenService, hashToken } from '../../../hub/auth/tokens.js';
import { buildHub } from '../../../hub/app.js';
import { createSqliteStorage } from '../../../hub/storage/sqlite/index.js';
import { envelope, PROJECT_A, PROJECT_B } from '../../helpers/envelope.js';
import { tempDir } from '../../helpers/cli.js';
import { PASSWORD, startHub, type TestHub } from '../hub-fixture.js';
import { join } from 'node:path';
import { addUser } from '../../../hub/index.js';

// The dashboard over HTTP, no browser: the page's headers, its assets' caching, the session
// cookie's flags, CSRF refusals, sign-out and revocation, and the shared login limiter.

const COOKIE = 'sk_session';

/** Headers a page of the hub sends with its own requests. */
const pageHeaders = (hub: TestHub, cookie?: string): Record<string, string> => ({
  origin: hub.url, 'x-spec-kitty-dashboard': '1', ...(cookie ? { cookie: `${COOKIE}=${cookie}` } : {}),
});

async function signIn(hub: TestHub, username = 'ada', password = PASSWORD) {
  const r = await hub.call('/dashboard/api/session', { body: { username, password }, headers: pageHeaders(hub) });
  const setCookie = r.headers.get('set-cookie') ?? '';
  const token = new RegExp(`^${COOKIE}=([^;]*)`).exec(setCookie)?.[1] ?? '';
  return { ...r, setCookie, token };
}

test('the page: strict CSP, no caching of the page itself, assets under content-hashed URLs cached for good', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.hub.close());
  const page = await hub.call('/');
  t.is(page.status, 200);
  t.regex(page.headers.get('content-type') ?? '', /^text\/html/);
  t.is(page.headers.get('cache-control'), 'no-store');
  const csp = page.headers.get('content-security-policy') ?? '';
  const host = new URL(hub.url).host;
  t.true(csp.includes("default-src 'none'"));
  t.true(csp.includes("script-src 'self'"));
  t.true(csp.includes("style-src 'self'"));
  t.true(csp.includes(`connect-src 'self' ws://${host}`), csp);
  t.true(csp.includes("frame-ancestors 'none'"));
  t.false(csp.includes('unsafe'), 'no unsafe-inline, no unsafe-eval');
  t.is(page.headers.get('x-content-type-options'), 'nosniff');

  // Nothing inline for the policy to allow: every script has a src, no <style>, no style="".
  const html = page.body as string;
  t.notRegex(html, /<script(?![^>]*\bsrc=)[^>]*>/);
  t.notRegex(html, /<style|\sstyle=/);
  const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
  t.true(assets.some((a) => a.endsWith('/app.js')) && assets.some((a) => a.endsWith('/styles.css')), assets.join(' '));
  const hash = /\/assets\/([0-9a-f]{16})\//.exec(assets[0])?.[1];
  t.truthy(hash);
  for (const path of assets) {
    const asset = await fetch(`${hub.url}${path}`);
    t.is(asset.status, 200, path);
    t.is(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable', path);
    t.is(asset.headers.get('x-content-type-options'), 'nosniff');
  }
  const js = await fetch(`${hub.url}/assets/${hash}/app.js`);
  t.regex(js.headers.get('content-type') ?? '', /^text\/javascript/);
  // The modules app.js imports resolve beside it, under the same hash.
  for (const module of ['board.js', 'dom.js', 'live.js', 'render.js']) t.is((await fetch(`${hub.url}/assets/${hash}/${module}`)).status, 200, module);

  // Another hash (an older page) or a file that is not an asset: 404, never cached.
  const stale = await fetch(`${hub.url}/assets/0000000000000000/app.js`);
  t.is(stale.status, 404);
  t.not(stale.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  t.is((await fetch(`${hub.url}/assets/${hash}/index.html`)).status, 404);
  t.is((await fetch(`${hub.url}/assets/${hash}/..%2Fapp.ts`)).status, 404);
});

test('sign-in gives an httpOnly, SameSite=Strict session cookie (not Secure on loopback) holding 256 random bits stored only as a hash', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.hub.close());
  const r = await signIn(hub);
  t.is(r.status, 200, JSON.stringify(r.body));
  t.like(r.body, { signed_in: true, username: 'ada', team_slug: 'acme' });
  t.is(r.headers.get('cache-control'), 'no-store');
  const attributes = r.setCookie.split(';').map((a) => a.trim().toLowerCase());
  t.true(attributes.includes('httponly'));
  t.true(attributes.includes('samesite=strict'));
  t.true(attributes.includes('path=/'));
  t.true(attributes.includes(`max-age=${12 * 3600}`));
  t.false(attributes.includes('secure'), 'the hub listens on 127.0.0.1: plain http is the only way in');
  t.regex(r.token, /^[A-Za-z0-9_-]{43}$/, '32 bytes, base64url');

  const db = new Database(hub.db, { readonly: true });
  t.teardown(() => db.close());
  const rows = db.prepare("SELECT hash, kind, expires_at FROM tokens WHERE kind = 'session'").all() as Array<{ hash: string; expires_at: number }>;
  t.is(rows.length, 1);
  t.is(rows[0].hash, hashToken(r.token));
  t.is((db.prepare('SELECT count(*) AS n FROM tokens WHERE hash = ?').get(r.token) as { n: number }).n, 0);
  t.true(Math.abs(rows[0].expires_at - (Date.now() + 12 * 3600_000)) < 60_000);

  const me = await hub.call('/dashboard/api/session', { headers: { cookie: `${COOKIE}=${r.token}` } });
  t.like(me.body, { signed_in: true, username: 'ada', team_slug: 'acme' });
  t.like((await hub.call('/dashboard/api/session')).body, { signed_in: false });
});

test('a hub that does not listen on loopback marks the cookie Secure', async (t) => {
  const storage = createSqliteStorage({ file: join(tempDir('sk-dash-'), 'hub.db') });
  await storage.migrate();
  await addUser(storage, 'ada', 'acme', PASSWORD);
  const now = () => Date.now();
  const deps = {
    storage, now,
    tokens: new TokenService(storage, { now }),
    sessions: new SessionService(storage, { now }),
    limiters: { user: new FailureLimiter({ max: 5, windowMs: 60_000 }), address: new FailureLimiter({ max: 30, windowMs: 60_000 }) },
  };
  const app = await buildHub(deps, { log: () => {}, dashboard: { secureCookie: true } });
  t.teardown(async () => { await app.close(); await storage.close(); });
  const r = await app.inject({
    method: 'POST', url: '/dashboard/api/session',
    headers: { host: 'hub.example.com', origin: 'https://hub.example.com', 'x-spec-kitty-dashboard': '1', 'content-type': 'application/json' },
    payload: JSON.stringify({ username: 'ada', password: PASSWORD }),
  });
  t.is(r.statusCode, 200, r.body);
  t.regex(String(r.headers['set-cookie']), /^__Host-sk_session=[A-Za-z0-9_-]{43}; Path=\/; .*; Secure$/);
  const page = await app.inject({ method: 'GET', url: '/', headers: { host: 'hub.example.com' } });
  t.regex(String(page.headers['content-security-policy']), /connect-src 'self' wss:\/\/hub\.example\.com;/);
});

test('CSRF: a cookie-authenticated POST without this hub as its Origin, or without the dashboard header, is refused (403)', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.hub.close());
  const { token } = await signIn(hub);
  const cookie = `${COOKIE}=${token}`;
  const refusals: Array<[string, Record<string, string>]> = [
    ['no Origin', { cookie, 'x-spec-kitty-dashboard': '1' }],
    ['another Origin', { cookie, origin: 'https://evil.example', 'x-spec-kitty-dashboard': '1' }],
    ['a look-alike Origin', { cookie, origin: `${hub.url}.evil.example`, 'x-spec-kitty-dashboard': '1' }],
    ['an Origin of null', { cookie, origin: 'null', 'x-spec-kitty-dashboard': '1' }],
    ['no dashboard header', { cookie, origin: hub.url }],
  ];
  for (const [why, headers] of refusals) {
    for (const path of ['/dashboard/api/ws-token', '/dashboard/api/sign-out']) {
      const r = await hub.call(path, { method: 'POST', headers });
      t.is(r.status, 403, `${path}, ${why}`);
      t.is(r.body.error, 'cross_origin');
    }
    const login = await hub.call('/dashboard/api/session', { body: { username: 'ada', password: PASSWORD }, headers: { ...headers, cookie: '' } });
    t.is(login.status, 403, `sign-in, ${why}`);
    t.is(login.headers.get('set-cookie'), null);
  }
  // The session survived all of that; from the page itself, it works.
  const ws = await hub.call('/dashboard/api/ws-token', { method: 'POST', headers: pageHeaders(hub, token) });
  t.is(ws.status, 200);
  t.true(typeof ws.body.ws_token === 'string' && ws.body.expires_in === 60);
});

test('the read API takes the session cookie, for the caller\'s team only; bearer tokens work as before, and neither kind stands in for the other', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.hub.close());
  const ada = await hub.login('ada');
  const eve = await hub.login('eve');
  t.deepEqual((await hub.call('/api/v1/events/batch/', { token: ada.access, body: { events: [envelope({ project_uuid: PROJECT_A, project_slug: 'alpha' })] } })).body.results[0].status, 'success');
  t.deepEqual((await hub.call('/api/v1/events/batch/', { token: eve.access, body: { events: [envelope({ project_uuid: PROJECT_B, project_slug: 'beta' })] } })).body.results[0].status, 'success');

  const adaSession = (await signIn(hub, 'ada')).token;
  const eveSession = (await signIn(hub, 'eve')).token;
  const asCookie = (token: string) => ({ cookie: `${COOKIE}=${token}` });
  const projects = await hub.call('/api/v1/projects/', { headers: asCookie(adaSession) });
  t.is(projects.status, 200);
  t.deepEqual(projects.body.projects.map((p: { project_uuid: string }) => p.project_uuid), [PROJECT_A]);
  const events = await hub.call(`/api/v1/projects/${PROJECT_A}/events/`, { headers: asCookie(adaSession) });
  t.is(events.body.events.length, 1);
  // Eve's session sees her team's project, and nothing of acme's.
  t.deepEqual((await hub.call('/api/v1/projects/', { headers: asCookie(eveSession) })).body.projects.map((p: { project_uuid: string }) => p.project_uuid), [PROJECT_B]);
  t.deepEqual((await hub.call(`/api/v1/projects/${PROJECT_A}/events/`, { headers: asCookie(eveSession) })).body.events, []);

  // Bearer, unchanged (and it wins over a cookie sent alongside).
  t.is((await hub.call('/api/v1/projects/', { token: ada.access })).body.projects.length, 1);
  t.deepEqual((await hub.call('/api/v1/projects/', { token: eve.access, headers: asCookie(adaSession) })).body.projects.map((p: { project_uuid: string }) => p.project_uuid), [PROJECT_B]);
  const none = await hub.call('/api/v1/projects/');
  t.is(none.status, 401);
  t.is(none.body.error, 'unauthorized');
  // A session is no bearer token, an access token no session, and a session cannot write.
  t.is((await hub.call('/api/v1/projects/', { token: adaSession })).status, 401);
  t.is((await hub.call('/api/v1/projects/', { headers: asCookie(ada.access) })).status, 401);
  t.is((await hub.call('/api/v1/events/batch/', { headers: { ...asCookie(adaSession), origin: hub.url, 'x-spec-kitty-dashboard': '1' }, body: { events: [envelope()] } })).status, 401);
  t.is((await hub.call('/api/v1/ws-token/', { method: 'POST', headers: asCookie(adaSession) })).status, 401);
});

test('sign-out revokes the session at the hub and clears the cookie; the old cookie is refused everywhere', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.hub.close());
  const { token } = await signIn(hub);
  const cookie = { cookie: `${COOKIE}=${token}` };
  t.is((await hub.call('/api/v1/projects/', { headers: cookie })).status, 200);
  const out = await hub.call('/dashboard/api/sign-out', { method: 'POST', headers: pageHeaders(hub, token) });
  t.is(out.status, 200);
  t.regex(out.headers.get('set-cookie') ?? '', new RegExp(`^${COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict`));
  t.is((await hub.call('/api/v1/projects/', { headers: cookie })).status, 401);
  t.is((await hub.call('/api/v1/projects/', { headers: cookie })).body.error, 'revoked');
  t.like((await hub.call('/dashboard/api/session', { headers: cookie })).body, { signed_in: false, reason: 'revoked' });
  t.is((await hub.call('/dashboard/api/ws-token', { method: 'POST', headers: pageHeaders(hub, token) })).status, 401);
  // Signing out again, or without a session, is no error.
  t.is((await hub.call('/dashboard/api/sign-out', { method: 'POST', headers: pageHeaders(hub, token) })).status, 200);
  t.is((await hub.call('/dashboard/api/sign-out', { method: 'POST', headers: pageHeaders(hub) })).status, 200);
});

test('a new sign-in from the same browser ends its previous session', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.hub.close());
  const first = (await signIn(hub)).token;
  const again = await hub.call('/dashboard/api/session', { body: { username: 'ada', password: PASSWORD }, headers: pageHeaders(hub, first) });
  t.is(again.status, 200);
  t.is((await hub.call('/api/v1/projects/', { headers: { cookie: `${COOKIE}=${first}` } })).status, 401);
});

test('sign-in is rate limited with token login: the same per-user count, 429 with Retry-After, even with the right password', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.hub.close());
  for (let i = 0; i < 5; i++) {
    const r = await signIn(hub, 'ada', 'wrong password!');
    t.is(r.status, 401);
    t.is(r.body.error, 'invalid_credentials');
    t.is(r.headers.get('set-cookie'), null);
  }
  const limited = await signIn(hub, 'ada');
  t.is(limited.status, 429);
  t.is(limited.body.error, 'rate_limited');
  t.true(Number(limited.headers.get('retry-after')) >= 1);
  t.is(limited.headers.get('set-cookie'), null);
  // The API's login counts the same failures: the dashboard is no way around it, nor it around the dashboard.
  t.is((await hub.call('/api/v1/token/', { body: { username: 'ada', password: PASSWORD } })).status, 429);
  // Another user is not locked out.
  t.is((await signIn(hub, 'bob')).status, 200);
});

test('a removed user\'s session stops at once', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.hub.close());
  const { token } = await signIn(hub, 'bob');
  const storage = createSqliteStorage({ file: hub.db });
  t.teardown(() => storage.close());
  t.true(await storage.removeUser('bob'));
  const r = await hub.call('/api/v1/projects/', { headers: { cookie: `${COOKIE}=${token}` } });
  t.is(r.status, 401);
});

test('sessions: a lifetime, then expired; ended by sign-out; never valid for a token of another kind', async (t) => {
  const storage = createSqliteStorage({ file: join(tempDir('sk-sess-'), 'hub.db') });
  await storage.migrate();
  t.teardown(() => storage.close());
  const user = await addUser(storage, 'ada', 'acme', PASSWORD);
  let now = 1_000_000;
  const sessions = new SessionService(storage, { ttlMs: 60_000, now: () => now });
  const { token, expiresAt } = await sessions.start(user);
  t.is(expiresAt, 1_060_000);
  t.is((await sessions.authenticate(token)).user.name, 'ada');
  now = 1_059_999;
  t.is((await sessions.authenticate(token)).team.slug, 'acme');
  now = 1_060_000;
  await t.throwsAsync(sessions.authenticate(token), { message: /expired/ });
  now = 1_000_000;
  await sessions.end(token);
  await t.throwsAsync(sessions.authenticate(token), { message: /revoked/ });
  const access = (await new TokenService(storage, { now: () => now }).login(user)).access;
  await t.throwsAsync(sessions.authenticate(access), { message: /not valid/ });
  await t.throwsAsync(sessions.authenticate(''), { message: /not valid/ });
  t.throws(() => new SessionService(storage, { ttlMs: 0 }), { instanceOf: RangeError });
});

test('migration 2 keeps the tokens of a version-1 hub.db and admits session tokens', async (t) => {
  const { MIGRATIONS } = await import('../../../hub/storage/sqlite/schema.js');
  const file = join(tempDir('sk-mig-'), 'hub.db');
  const old = new Database(file);
  old.exec(MIGRATIONS[0]);
  old.pragma('user_version = 1');
  old.prepare("INSERT INTO tokens (hash, kind, user_id, family, expires_at) VALUES ('h1', 'refresh', 1, 'f', 99)").run();
  t.throws(() => old.prepare("INSERT INTO tokens (hash, kind, user_id, family, expires_at) VALUES ('h2', 'session', 1, 'f', 99)").run(), { any: true, code: 'SQLITE_CONSTRAINT_CHECK' } as never);
  old.close();
  const storage = createSqliteStorage({ file });
  await storage.migrate();
  t.teardown(() => storage.close());
  t.like(await storage.findToken('h1'), { kind: 'refresh', family: 'f', expiresAt: 99 });
  await storage.putToken({ hash: 'h2', kind: 'session', userId: 1, family: 'g', expiresAt: 99, usedAt: null, revokedAt: null });
  t.like(await storage.findToken('h2'), { kind: 'session' });
  await storage.revokeFamily('f', 5);
  t.like(await storage.findToken('h1'), { revokedAt: 5 });
});

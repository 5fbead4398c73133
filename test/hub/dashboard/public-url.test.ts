import test, { type ExecutionContext } from 'ava';
import { join } from 'node:path';
import { addUser, PublicUrlError, serveHub, type HubStorage, type ServeOptions } from '../../../hub/index.js';
import { createSqliteStorage } from '../../../hub/storage/sqlite/index.js';
import { tempDir } from '../../helpers/cli.js';
import { PASSWORD } from '../hub-fixture.js';

// Behind a TLS proxy (the README's advice: the hub on 127.0.0.1, nginx in front) the hub cannot
// tell from where it listens that browsers reach it over https, nor trust the Host header (nginx
// sets it to 127.0.0.1:8787 by default). `publicUrl` (`hub serve --public-url`) says both: the
// cookie is Secure (and `__Host-` named) iff it is https, and the CSRF check expects its origin.

async function storage(): Promise<HubStorage> {
  const s = createSqliteStorage({ file: join(tempDir('sk-pub-'), 'hub.db') });
  await s.migrate();
  await addUser(s, 'ada', 'acme', PASSWORD);
  return s;
}

async function serve(t: ExecutionContext, options: Partial<ServeOptions> = {}) {
  const hub = await serveHub({ storage: await storage(), host: '127.0.0.1', port: 0, log: () => {}, ...options });
  t.teardown(() => hub.close());
  const port = new URL(hub.url).port;
  /** A request as the proxy forwards it: Host is the hub's own address (nginx's default `proxy_set_header Host $proxy_host`). */
  const call = async (path: string, init: { method?: string; headers?: Record<string, string>; body?: unknown } = {}) => {
    const r = await fetch(`${hub.url}${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await r.text();
    let body: any = text;
    try { body = JSON.parse(text); } catch { /* the page */ }
    return { status: r.status, headers: r.headers, body };
  };
  const signIn = (origin: string) => call('/dashboard/api/session', {
    body: { username: 'ada', password: PASSWORD }, headers: { origin, 'x-spec-kitty-dashboard': '1' },
  });
  return { hub, port, call, signIn };
}

const page = (origin: string, cookie: string) => ({ origin, 'x-spec-kitty-dashboard': '1', cookie });

test('serveHub on 127.0.0.1 with an https public URL: the cookie is Secure and __Host- named, and the CSRF check takes the public origin (Host is the proxy\'s upstream)', async (t) => {
  const { call, signIn, hub } = await serve(t, { publicUrl: 'https://hub.example.com/' });
  const r = await signIn('https://hub.example.com');
  t.is(r.status, 200, JSON.stringify(r.body));
  const setCookie = r.headers.get('set-cookie') ?? '';
  t.regex(setCookie, /^__Host-sk_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Strict; Secure$/);
  const token = /^__Host-sk_session=([^;]*)/.exec(setCookie)![1];
  const cookie = `__Host-sk_session=${token}`;

  // Every dashboard POST from the public origin works, though Host names 127.0.0.1.
  t.is((await call('/dashboard/api/ws-token', { method: 'POST', headers: page('https://hub.example.com', cookie) })).status, 200);
  t.like((await call('/dashboard/api/session', { headers: { cookie } })).body, { signed_in: true, username: 'ada' });
  t.is((await call('/api/v1/projects/', { headers: { cookie } })).status, 200);
  // The hub's own address, plain http, or another scheme or port of the name, is not this hub's page now.
  for (const origin of [hub.url, 'http://hub.example.com', 'https://hub.example.com:8443', 'https://evil.example']) {
    const refused = await call('/dashboard/api/ws-token', { method: 'POST', headers: page(origin, cookie) });
    t.is(refused.status, 403, origin);
    t.is(refused.body.error, 'cross_origin');
  }
  // Only the __Host- name is read: a plain sk_session cookie (which plain http could plant) is none.
  t.like((await call('/dashboard/api/session', { headers: { cookie: `sk_session=${token}` } })).body, { signed_in: false });
  t.is((await call('/api/v1/projects/', { headers: { cookie: `sk_session=${token}` } })).status, 401);
  // The page's CSP names the public origin's socket.
  t.regex((await call('/')).headers.get('content-security-policy') ?? '', /connect-src 'self' wss:\/\/hub\.example\.com;/);
  // Sign-out clears the same cookie name.
  const out = await call('/dashboard/api/sign-out', { method: 'POST', headers: page('https://hub.example.com', cookie) });
  t.regex(out.headers.get('set-cookie') ?? '', /^__Host-sk_session=; Path=\/; Max-Age=0; HttpOnly; SameSite=Strict; Secure$/);
});

test('serveHub with an http public URL: the cookie is not Secure (plain sk_session), and the origin is the public one', async (t) => {
  const { signIn, hub } = await serve(t, { publicUrl: 'http://hub.lan:8080' });
  t.is((await signIn(hub.url)).status, 403, 'the listening address is not the public origin');
  const r = await signIn('http://hub.lan:8080');
  t.is(r.status, 200);
  const setCookie = r.headers.get('set-cookie') ?? '';
  t.regex(setCookie, /^sk_session=/);
  t.notRegex(setCookie, /Secure/);
});

test('serveHub without a public URL keeps today\'s rule: on loopback not Secure, Origin against Host', async (t) => {
  const { signIn, hub } = await serve(t);
  t.is((await signIn('https://hub.example.com')).status, 403);
  const r = await signIn(hub.url);
  t.is(r.status, 200);
  t.regex(r.headers.get('set-cookie') ?? '', /^sk_session=[^;]+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Strict$/);
});

test('serveHub listening on a non-loopback address without a public URL: Secure, __Host- named', async (t) => {
  const { signIn, hub } = await serve(t, { host: '0.0.0.0' });
  const r = await signIn(hub.url);
  t.is(r.status, 200);
  t.regex(r.headers.get('set-cookie') ?? '', /^__Host-sk_session=.*; Secure$/);
});

test('serveHub refuses a public URL it cannot use, before listening, and closes the storage', async (t) => {
  for (const bad of ['hub.example.com', 'ftp://hub.example.com', 'https://user:pw@hub.example.com', 'https://hub.example.com/spec-kitty', 'https://hub.example.com/?x=1', 'https://hub.example.com/#top', '']) {
    const s = await storage();
    const error = await t.throwsAsync(serveHub({ storage: s, host: '127.0.0.1', port: 0, log: () => {}, publicUrl: bad }), undefined, bad);
    t.true(error instanceof PublicUrlError, `${bad}: ${String(error)}`);
    t.regex(error!.message, /--public-url/);
    await t.throwsAsync(s.findUser('ada'), undefined, 'closed');
  }
});

test('an Authorization header of another scheme (Basic, from a proxy) does not hide the session cookie; Bearer still wins', async (t) => {
  const { call, signIn, hub } = await serve(t);
  const r = await signIn(hub.url);
  const cookie = /^(sk_session=[^;]*)/.exec(r.headers.get('set-cookie') ?? '')![1];
  const basic = `Basic ${Buffer.from('proxy:secret').toString('base64')}`;
  t.is((await call('/api/v1/projects/', { headers: { cookie, authorization: basic } })).status, 200);
  t.is((await call('/api/v1/projects/', { headers: { authorization: basic } })).status, 401);
  // A Bearer header is read as ever, and a bad one is refused even with a good cookie.
  t.is((await call('/api/v1/projects/', { headers: { cookie, authorization: 'Bearer nope' } })).status, 401);
  t.is((await call('/api/v1/projects/', { headers: { cookie, authorization: 'bearer nope' } })).status, 401);
});

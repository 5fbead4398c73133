import test, { type ExecutionContext } from 'ava';
import { join } from 'node:path';
import WebSocket from 'ws';
import { hashToken } from '../../../hub/auth/tokens.js';
import { addUser, serveHub } from '../../../hub/index.js';
import type { LiveOptions } from '../../../hub/live/fanout.js';
import { createSqliteStorage } from '../../../hub/storage/sqlite/index.js';
import { tempDir } from '../../helpers/cli.js';
import { envelope } from '../../helpers/envelope.js';
import { PASSWORD } from '../hub-fixture.js';

// The dashboard's WebSocket lives no longer than the session that opened it: sign-out closes it
// at once (1008), and an expired or revoked session's socket is closed by the keep-alive sweep.

const COOKIE = 'sk_session';

async function hubWith(t: ExecutionContext, options: { sessionTtlMs?: number; live?: LiveOptions } = {}) {
  const db = join(tempDir('sk-dash-ws-'), 'hub.db');
  const storage = createSqliteStorage({ file: db });
  await storage.migrate();
  await addUser(storage, 'ada', 'acme', PASSWORD);
  const log: string[] = [];
  const hub = await serveHub({ storage, host: '127.0.0.1', port: 0, log: (line) => log.push(line), ...options });
  t.teardown(() => hub.close());
  const page = (cookie?: string): Record<string, string> => ({
    origin: hub.url, 'x-spec-kitty-dashboard': '1', ...(cookie ? { cookie: `${COOKIE}=${cookie}` } : {}),
  });
  const post = async (path: string, headers: Record<string, string>, body?: unknown) => {
    const r = await fetch(`${hub.url}${path}`, {
      method: 'POST',
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: r.status, body: await r.json() as any, headers: r.headers };
  };
  const signIn = async () => {
    const r = await post('/dashboard/api/session', page(), { username: 'ada', password: PASSWORD });
    const token = new RegExp(`^${COOKIE}=([^;]*)`).exec(r.headers.get('set-cookie') ?? '')?.[1];
    if (r.status !== 200 || !token) throw new Error(`sign-in: ${r.status}`);
    return token;
  };
  /** Opens the page's socket as the page does: a ws token on the cookie, then ?token=. */
  const openSocket = async (session: string) => {
    const grant = await post('/dashboard/api/ws-token', page(session));
    if (grant.status !== 200) throw Object.assign(new Error(`ws-token: ${grant.status}`), { status: grant.status });
    return connect(t, hub.url, grant.body.ws_token);
  };
  /** Stores one acme event through the API (a bearer token), as a CLI would. */
  const emit = async () => {
    const login = await post('/api/v1/token/', {}, { username: 'ada', password: PASSWORD });
    const r = await post('/api/v1/events/batch/', { authorization: `Bearer ${login.body.access}` }, { events: [envelope({ team_slug: 'acme' })] });
    if (r.status !== 200) throw new Error(`batch: ${r.status}`);
  };
  return { hub, db, log, page, post, signIn, openSocket, emit };
}

interface Socket {
  ws: WebSocket;
  messages: any[];
  closed: Promise<{ code: number; reason: string }>;
  until(predicate: (m: any) => boolean, ms?: number): Promise<any>;
}

async function connect(t: ExecutionContext, url: string, token: string): Promise<Socket> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws/v1/events/?token=${encodeURIComponent(token)}`);
  t.teardown(() => ws.terminate());
  const messages: any[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data) => { messages.push(JSON.parse(data.toString())); for (const w of waiters) w(); });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_q, response) => { ws.terminate(); reject(Object.assign(new Error(`refused: ${response.statusCode}`), { status: response.statusCode })); });
    ws.once('error', reject);
  });
  const until = async (predicate: (m: any) => boolean, ms = 5000) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = messages.find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error('no such message in time');
      await new Promise<void>((resolve) => { const w = () => { waiters.delete(w); resolve(); }; waiters.add(w); setTimeout(w, 50); });
    }
  };
  return { ws, messages, closed, until };
}

test('sign-out closes the session\'s sockets at once (1008), and they get nothing of the team after', async (t) => {
  const { log, page, post, signIn, openSocket, emit } = await hubWith(t);
  const session = await signIn();
  const socket = await openSocket(session);
  await socket.until((m) => m.type === 'snapshot');
  await emit();
  await socket.until((m) => m.type === 'event');
  const before = socket.messages.length;

  const out = await post('/dashboard/api/sign-out', page(session));
  t.is(out.status, 200);
  const closed = await Promise.race([socket.closed, new Promise<null>((resolve) => setTimeout(() => resolve(null), 3000))]);
  t.truthy(closed, 'the socket closed on sign-out');
  t.is(closed?.code, 1008);
  t.regex(closed?.reason ?? '', /signed out/);
  await emit();
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.is(socket.messages.length, before, 'nothing after sign-out');
  t.true(log.some((l) => l.includes('closed a socket of an ended dashboard session')));
});

test('a ws token asked for on a session is refused once that session signed out', async (t) => {
  const { page, post, signIn, hub } = await hubWith(t);
  const session = await signIn();
  const grant = await post('/dashboard/api/ws-token', page(session));
  t.is(grant.status, 200);
  t.is((await post('/dashboard/api/sign-out', page(session))).status, 200);
  const error = await t.throwsAsync(connect(t, hub.url, grant.body.ws_token));
  t.is((error as Error & { status?: number }).status, 401);
});

test('a new sign-in from the same browser closes the previous session\'s sockets', async (t) => {
  const { page, post, signIn, openSocket } = await hubWith(t);
  const first = await signIn();
  const socket = await openSocket(first);
  await socket.until((m) => m.type === 'snapshot');
  const again = await post('/dashboard/api/session', page(first), { username: 'ada', password: PASSWORD });
  t.is(again.status, 200);
  t.is((await socket.closed).code, 1008);
});

test('only the signed-out session\'s sockets close: another session and an API socket stay open', async (t) => {
  const { page, post, signIn, openSocket, emit, hub } = await hubWith(t);
  const a = await signIn();
  const b = await signIn();
  const mine = await openSocket(a);
  const other = await openSocket(b);
  const login = await post('/api/v1/token/', {}, { username: 'ada', password: PASSWORD });
  const apiGrant = await post('/api/v1/ws-token/', { authorization: `Bearer ${login.body.access}` });
  const api = await connect(t, hub.url, apiGrant.body.ws_token);
  for (const s of [mine, other, api]) await s.until((m) => m.type === 'snapshot');
  await post('/dashboard/api/sign-out', page(a));
  t.is((await mine.closed).code, 1008);
  await emit();
  await other.until((m) => m.type === 'event');
  await api.until((m) => m.type === 'event');
  t.is(other.ws.readyState, WebSocket.OPEN);
  t.is(api.ws.readyState, WebSocket.OPEN);
});

test.serial('an expired session\'s socket is closed by the keep-alive sweep (1008)', async (t) => {
  const { signIn, openSocket, emit, log } = await hubWith(t, { sessionTtlMs: 1500, live: { pingIntervalMs: 200 } });
  const session = await signIn();
  const socket = await openSocket(session);
  await socket.until((m) => m.type === 'snapshot');
  const started = Date.now();
  const closed = await Promise.race([socket.closed, new Promise<null>((resolve) => setTimeout(() => resolve(null), 5000))]);
  t.truthy(closed, 'closed after the session expired');
  t.is(closed?.code, 1008);
  t.regex(closed?.reason ?? '', /expired or was revoked/);
  t.true(Date.now() - started < 4000);
  const count = socket.messages.length;
  await emit();
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.is(socket.messages.length, count);
  t.true(log.some((l) => l.includes('closed a socket of an ended dashboard session')));
});

test.serial('a session revoked by another hub process closes its sockets at the next sweep', async (t) => {
  const { signIn, openSocket, db } = await hubWith(t, { live: { pingIntervalMs: 200 } });
  const session = await signIn();
  const socket = await openSocket(session);
  await socket.until((m) => m.type === 'snapshot');
  // Another process on the same database signs it out: no notice reaches this one.
  const elsewhere = createSqliteStorage({ file: db });
  t.teardown(() => elsewhere.close());
  await elsewhere.revokeToken(hashToken(session), Date.now());
  const closed = await Promise.race([socket.closed, new Promise<null>((resolve) => setTimeout(() => resolve(null), 3000))]);
  t.is(closed?.code, 1008);
});

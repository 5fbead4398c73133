import test, { type ExecutionContext } from 'ava';
import { randomBytes } from 'node:crypto';
import { connect as tcpConnect, type Socket } from 'node:net';
import { join } from 'node:path';
import WebSocket from 'ws';
import { validateWsServerMessage } from '../../contract/sync.check.js';
import { addUser, serveHub, type HubStorage } from '../../hub/index.js';
import type { LiveOptions } from '../../hub/live/fanout.js';
import { createSqliteStorage } from '../../hub/storage/sqlite/index.js';
import { tempDir } from '../helpers/cli.js';
import { envelope } from '../helpers/envelope.js';
import { PASSWORD, startHub } from './hub-fixture.js';

const PROJECT = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const WS_PATH = '/ws/v1/events/';

const move = (wp: string, lamport: number, team = 'acme', over: Record<string, unknown> = {}) => ({
  ...envelope({
    event_type: 'WPStatusChanged', aggregate_id: wp, aggregate_type: 'WorkPackage', lamport_clock: lamport, team_slug: team,
    project_uuid: PROJECT, project_slug: 'shop',
    payload: { wp_id: wp, previous_status: 'planned', new_status: 'doing', changed_by: 'ada', feature_slug: '001-cart' },
  }),
  ...over,
});

/** A 2.x envelope: 12 keys, no correlation_id, a microsecond +00:00 timestamp. */
const legacy = (wp: string, lamport: number) => {
  const { correlation_id: _dropped, ...rest } = move(wp, lamport);
  return { ...rest, timestamp: '2026-11-30T10:00:00.123456+00:00' };
};

interface Hub {
  url: string;
  log: string[];
  close(): Promise<void>;
}

/** A hub from the shared fixture (default keep-alive and buffer cap), closed when the test ends. */
async function fixtureHub(t: ExecutionContext): Promise<Hub> {
  const h = await startHub();
  t.teardown(() => h.hub.close());
  return { url: h.url, log: h.log, close: () => h.hub.close() };
}

/** The fixture's hub, with WebSocket options (a short keep-alive, a small buffer cap). */
async function liveHub(t: ExecutionContext, live: LiveOptions): Promise<Hub> {
  return (await liveHubWithStorage(t, live)).hub;
}

async function liveHubWithStorage(t: ExecutionContext, live: LiveOptions): Promise<{ hub: Hub; storage: HubStorage }> {
  const storage = createSqliteStorage({ file: join(tempDir('sk-hub-ws-'), 'hub.db') });
  await storage.migrate();
  await addUser(storage, 'ada', 'acme', PASSWORD);
  await addUser(storage, 'eve', 'evil', PASSWORD);
  const log: string[] = [];
  const hub = await serveHub({ storage, host: '127.0.0.1', port: 0, log: (line) => log.push(line), live });
  t.teardown(() => hub.close());
  return { hub: { url: hub.url, log, close: () => hub.close() }, storage };
}

async function post(url: string, body: unknown, token?: string): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(url, { method: 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, body: await r.json() };
}

async function access(hub: Hub, user: string): Promise<string> {
  const r = await post(`${hub.url}/api/v1/token/`, { username: user, password: PASSWORD });
  if (r.status !== 200) throw new Error(`login ${user}: ${r.status}`);
  return r.body.access;
}

/** A fresh single-use ws token, as 2.x clients ask for it: POST with no body. */
async function wsToken(hub: Hub, user: string): Promise<string> {
  const r = await post(`${hub.url}/api/v1/ws-token/`, undefined, await access(hub, user));
  if (r.status !== 200) throw new Error(`ws-token ${user}: ${r.status}`);
  return r.body.ws_token;
}

const wsUrl = (hub: Hub, query = '') => `${hub.url.replace(/^http/, 'ws')}${WS_PATH}${query}`;

/** A WebSocket client that keeps every message, in order, and is terminated when the test ends. */
class Client {
  readonly messages: any[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #read = 0;
  #wake: (() => void) | null = null;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.messages.push(JSON.parse(data.toString()));
      this.#wake?.();
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
      this.#wake?.();
    }));
  }

  /** The next message not read yet, waiting up to `ms`. */
  async next(ms = 5000): Promise<any> {
    const deadline = Date.now() + ms;
    while (this.#read >= this.messages.length) {
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error('the socket closed');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no message in time');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => { clearTimeout(timer); resolve(); };
      });
      this.#wake = null;
    }
    return this.messages[this.#read++];
  }

  /** The next message of this type, skipping others (e.g. pushes between acks). */
  async nextOf(type: string, ms = 5000): Promise<any> {
    for (;;) {
      const message = await this.next(ms);
      if (message.type === type) return message;
    }
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }
}

/** Opens a socket with a ws token (header, or ?token=); rejects with the HTTP status when refused. */
async function open(t: ExecutionContext, hub: Hub, token: string | null, how: 'header' | 'query' = 'header'): Promise<Client> {
  const ws = new WebSocket(wsUrl(hub, how === 'query' && token ? `?token=${encodeURIComponent(token)}` : ''), {
    headers: how === 'header' && token ? { authorization: `Bearer ${token}` } : {},
  });
  t.teardown(() => ws.terminate());
  const client = new Client(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_request, response) => {
      reject(Object.assign(new Error(`refused: ${response.statusCode}`), { status: response.statusCode }));
      ws.terminate();
    });
    ws.once('error', reject);
  });
  return client;
}

const valid = (t: ExecutionContext, message: unknown) => t.true(validateWsServerMessage(message), JSON.stringify(message));

test('a 2.x client gets the snapshot first, then acks for its bare envelopes; pushes carry type "event"', async (t) => {
  const hub = await fixtureHub(t);
  const token = await access(hub, 'ada');
  await post(`${hub.url}/api/v1/events/batch/`, { events: [move('WP01', 1)] }, token);

  const client = await open(t, hub, await wsToken(hub, 'ada'));
  const snapshot = await client.next();
  t.is(snapshot.type, 'snapshot');
  valid(t, snapshot);
  t.deepEqual(snapshot.work_packages, [{ project_uuid: PROJECT, feature_slug: '001-cart', wp_id: 'WP01', lane: 'doing' }]);
  t.like(snapshot.projects[0], { project_uuid: PROJECT, project_slug: 'shop', event_count: 1 });

  const event = legacy('WP02', 2);
  client.send(event);
  const ack = await client.nextOf('ack');
  valid(t, ack);
  t.deepEqual(ack, { type: 'ack', event_id: event.event_id, status: 'success' });
  const pushed = client.messages.find((m) => m.type === 'event' && m.event_id === event.event_id);
  t.truthy(pushed, 'the sender gets its own event pushed too');
  valid(t, pushed);
});

test('the snapshot comes first even when the client sends at once; a ?token= query works for browsers', async (t) => {
  const hub = await fixtureHub(t);
  const client = await open(t, hub, await wsToken(hub, 'ada'), 'query');
  const event = move('WP01', 1);
  client.send(event);
  t.is((await client.next()).type, 'snapshot');
  t.like(await client.nextOf('ack'), { event_id: event.event_id, status: 'success' });
});

test('a ws token works once: a second use is 401, and so is none or a bad one; nothing is logged of it', async (t) => {
  const hub = await fixtureHub(t);
  const token = await wsToken(hub, 'ada');
  const first = await open(t, hub, token);
  t.is((await first.next()).type, 'snapshot');
  await t.throwsAsync(open(t, hub, token), { message: 'refused: 401' });
  await t.throwsAsync(open(t, hub, token, 'query'), { message: 'refused: 401' });
  await t.throwsAsync(open(t, hub, null), { message: 'refused: 401' });
  await t.throwsAsync(open(t, hub, 'not-a-token'), { message: 'refused: 401' });
  // An access token is not a ws token.
  await t.throwsAsync(open(t, hub, await access(hub, 'ada')), { message: 'refused: 401' });
  // A plain GET is told to upgrade, and spends no token.
  const plain = await fetch(`${hub.url}${WS_PATH}`);
  t.is(plain.status, 426);
  t.false(hub.log.join('\n').includes(token));
});

test('an event sent on the socket is acked success, then duplicate when sent again; "type":"event" is accepted too', async (t) => {
  const hub = await fixtureHub(t);
  const client = await open(t, hub, await wsToken(hub, 'ada'));
  await client.nextOf('snapshot');
  const event = move('WP01', 1);
  client.send({ type: 'event', ...event });
  t.deepEqual(await client.nextOf('ack'), { type: 'ack', event_id: event.event_id, status: 'success' });
  client.send(event);
  t.deepEqual(await client.nextOf('ack'), { type: 'ack', event_id: event.event_id, status: 'duplicate' });
  // What the socket stored reads back like a batch's, without our `type`.
  const events = await fetch(`${hub.url}/api/v1/projects/${PROJECT}/events/`, { headers: { authorization: `Bearer ${await access(hub, 'ada')}` } });
  const stored = ((await events.json()) as { events: Array<{ envelope: object }> }).events;
  t.is(stored.length, 1);
  t.false('type' in stored[0].envelope);
});

test('an event of another team, or an invalid one, is acked rejected with a reason', async (t) => {
  const hub = await fixtureHub(t);
  const client = await open(t, hub, await wsToken(hub, 'ada'));
  await client.nextOf('snapshot');
  const foreign = move('WP01', 1, 'evil');
  client.send(foreign);
  const ack = await client.nextOf('ack');
  t.like(ack, { event_id: foreign.event_id, status: 'rejected' });
  t.regex(ack.error_message, /team_slug "evil" is not your team \("acme"\)/);
  const bad = move('WP02', 2, 'acme', { node_id: 'NOT-HEX' });
  client.send(bad);
  t.like(await client.nextOf('ack'), { event_id: bad.event_id, status: 'rejected' });
  const big = move('WP03', 3, 'acme', { payload: { wp_id: 'WP03', previous_status: 'planned', new_status: 'doing', changed_by: 'ada', feature_slug: '001-cart', blob: 'x'.repeat(70_000) } });
  client.send(big);
  const tooBig = await client.nextOf('ack');
  t.like(tooBig, { event_id: big.event_id, status: 'rejected' });
  t.regex(tooBig.error_message, /at most 65536/);
  t.false(client.messages.some((m) => m.type === 'event'), 'nothing rejected is pushed');
});

test('malformed frames get a rejected ack and the socket stays open', async (t) => {
  const hub = await fixtureHub(t);
  const client = await open(t, hub, await wsToken(hub, 'ada'));
  await client.nextOf('snapshot');
  for (const frame of ['{not json', '42', 'null', '[1,2]', '"text"', JSON.stringify({ type: 'subscribe', event_id: 'E1' })]) {
    client.send(frame);
    const ack = await client.nextOf('ack');
    t.is(ack.status, 'rejected', frame);
    t.is(typeof ack.error_message, 'string', frame);
    t.is(ack.event_id, frame.includes('E1') ? 'E1' : '', frame);
  }
  client.ws.send(Buffer.from([0xff, 0x00, 0x01]));
  t.is((await client.nextOf('ack')).status, 'rejected');
  t.is(client.ws.readyState, WebSocket.OPEN);
  const event = move('WP01', 1);
  client.send(event);
  t.like(await client.nextOf('ack'), { event_id: event.event_id, status: 'success' });
});

test('{"type":"ping"} is answered with a pong carrying a timestamp; a pong is accepted silently', async (t) => {
  const hub = await fixtureHub(t);
  const client = await open(t, hub, await wsToken(hub, 'ada'));
  await client.nextOf('snapshot');
  client.send({ type: 'pong' });
  client.send({ type: 'ping', timestamp: new Date().toISOString() });
  const pong = await client.next();
  t.is(pong.type, 'pong');
  valid(t, pong);
  t.false(Number.isNaN(Date.parse(pong.timestamp)));
});

test('teams are isolated: a batch of acme is pushed to acme\'s sockets, never to evil\'s', async (t) => {
  const hub = await fixtureHub(t);
  const ada = await open(t, hub, await wsToken(hub, 'ada'));
  const bob = await open(t, hub, await wsToken(hub, 'bob'));
  const eve = await open(t, hub, await wsToken(hub, 'eve'));
  for (const c of [ada, bob, eve]) await c.nextOf('snapshot');

  const events = [move('WP01', 1), { ...move('WP02', 2), team_slug: 'local' }];
  const r = await post(`${hub.url}/api/v1/events/batch/`, { events }, await access(hub, 'ada'));
  t.deepEqual(r.body.results.map((x: { status: string }) => x.status), ['success', 'success']);
  for (const c of [ada, bob]) {
    const pushed = [await c.nextOf('event'), await c.nextOf('event')];
    t.deepEqual(pushed.map((m) => m.event_id), events.map((e) => e.event_id));
    for (const m of pushed) valid(t, m);
  }
  // Eve sends one of her own: it reaches her socket and no one of acme.
  const own = move('WP07', 3, 'evil');
  eve.send(own);
  t.like(await eve.nextOf('ack'), { event_id: own.event_id, status: 'success' });
  // Pushed to the sender too (storage tells the fan-out as it commits, so before the ack).
  t.true(eve.messages.some((m) => m.type === 'event' && m.event_id === own.event_id));
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.false(eve.messages.some((m) => m.type === 'event' && m.team_slug !== 'evil'));
  t.false([...ada.messages, ...bob.messages].some((m) => m.event_id === own.event_id));
  // And eve's snapshot never showed acme's board.
  const late = await open(t, hub, await wsToken(hub, 'eve'));
  const snapshot = await late.nextOf('snapshot');
  t.deepEqual(snapshot.projects.map((p: { project_uuid: string }) => p.project_uuid), [PROJECT]);
  t.is(snapshot.projects[0].event_count, 1);
});

/** A raw TCP client that upgrades, then reads everything and answers nothing: not even a ping. */
async function deadClient(t: ExecutionContext, hub: Hub, token: string): Promise<{ socket: Socket; ended: Promise<void>; received: () => Buffer }> {
  const { hostname, port } = new URL(hub.url);
  const socket = tcpConnect({ host: hostname, port: Number(port) });
  t.teardown(() => { socket.destroy(); });
  const chunks: Buffer[] = [];
  socket.on('data', (chunk) => chunks.push(chunk));
  socket.on('error', () => {});
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write([
    `GET ${WS_PATH} HTTP/1.1`, `Host: ${hostname}:${port}`, 'Upgrade: websocket', 'Connection: Upgrade',
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`, 'Sec-WebSocket-Version: 13', `Authorization: Bearer ${token}`, '', '',
  ].join('\r\n'));
  const received = () => Buffer.concat(chunks);
  const deadline = Date.now() + 5000;
  while (!received().toString('latin1').includes('\r\n\r\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return { socket, ended, received };
}

// Serial: a keep-alive this short needs an event loop that other tests do not keep busy.
test.serial('keep-alive: a client that stops answering pings is closed; one that answers stays', async (t) => {
  const hub = await liveHub(t, { pingIntervalMs: 250 });
  const alive = await open(t, hub, await wsToken(hub, 'ada'));
  await alive.nextOf('snapshot');
  const dead = await deadClient(t, hub, await wsToken(hub, 'ada'));
  t.regex(dead.received().toString('latin1'), /^HTTP\/1\.1 101 /);
  const started = Date.now();
  await dead.ended;
  const took = Date.now() - started;
  t.true(took < 3000, `closed after ${took} ms`);
  // It was pinged (opcode 0x9) before it was cut.
  t.true(dead.received().includes(Buffer.from([0x89, 0x00])));
  t.true(hub.log.some((line) => /did not answer a ping/.test(line)));
  // The well-behaved client answered every ping (ws does so by itself) and is still open.
  t.is(alive.ws.readyState, WebSocket.OPEN);
  alive.send({ type: 'ping', timestamp: new Date().toISOString() });
  t.is((await alive.nextOf('pong')).type, 'pong');
});

test('a slow reader over the buffer cap is dropped with 1013, and the hub stops queueing for it', async (t) => {
  const cap = 64 * 1024;
  const hub = await liveHub(t, { maxBufferedBytes: cap, closeGraceMs: 30_000 });
  const token = await access(hub, 'ada');
  const slow = await open(t, hub, await wsToken(hub, 'ada'));
  const fast = await open(t, hub, await wsToken(hub, 'ada'));
  await slow.nextOf('snapshot');
  await fast.nextOf('snapshot');
  // The slow one stops reading: its TCP window fills, then the hub's buffer for it.
  slow.ws.pause();
  const filler = 'x'.repeat(900);
  let sent = 0;
  let batches = 0;
  while (!hub.log.some((line) => line.includes('dropped a slow reader')) && batches < 60) {
    const events = Array.from({ length: 500 }, (_, i) => move(`WP${String(i % 100).padStart(2, '0')}`, ++sent, 'acme', {
      payload: { wp_id: 'WP01', previous_status: 'planned', new_status: 'doing', changed_by: 'ada', feature_slug: '001-cart', filler },
    }));
    const r = await post(`${hub.url}/api/v1/events/batch/`, { events }, token);
    t.is(r.status, 200);
    batches++;
  }
  const drop = hub.log.find((line) => line.includes('dropped a slow reader'));
  t.truthy(drop, `dropped after ${batches} batches`);
  // When it was dropped, the hub held at most the cap plus one message for it.
  const held = Number(/: (\d+) bytes unsent/.exec(drop ?? '')?.[1]);
  t.true(held > cap && held <= cap + 4096, `held ${held} bytes`);
  // More events after the drop are not queued for it: what it reads in the end stops short.
  await post(`${hub.url}/api/v1/events/batch/`, { events: [move('WP01', ++sent)] }, token);
  slow.ws.resume();
  const closed = await slow.closed;
  t.is(closed.code, 1013);
  t.regex(closed.reason, /reads too slowly/);
  const got = slow.messages.filter((m) => m.type === 'event').length;
  t.true(got < sent, `the slow reader got ${got} of ${sent}`);
  // The reader that kept up got everything and is still open.
  while (fast.messages.filter((m) => m.type === 'event').length < sent) await fast.nextOf('event', 10_000);
  t.is(fast.ws.readyState, WebSocket.OPEN);
});

test('closing the hub closes every socket with 1001, going away', async (t) => {
  const hub = await fixtureHub(t);
  const ada = await open(t, hub, await wsToken(hub, 'ada'));
  const eve = await open(t, hub, await wsToken(hub, 'eve'));
  await ada.nextOf('snapshot');
  await eve.nextOf('snapshot');
  await hub.close();
  for (const c of [ada, eve]) {
    const closed = await c.closed;
    t.is(closed.code, 1001);
    t.regex(closed.reason, /shutting down/);
  }
});

test.serial('a removed user\'s open socket is closed at the next keep-alive sweep (1008)', async (t) => {
  const { hub, storage } = await liveHubWithStorage(t, { pingIntervalMs: 200 });
  const client = await open(t, hub, await wsToken(hub, 'ada'));
  t.is((await client.next()).type, 'snapshot');
  const closed = new Promise<number>((resolve) => client.ws.once('close', (code) => resolve(code)));
  await storage.removeUser('ada');
  t.is(await closed, 1008);
  t.true(hub.log.some((l) => l.includes('closed a socket of a removed user')));
});

test('one user holds at most 16 sockets; the next is closed with 1008', async (t) => {
  const hub = await fixtureHub(t);
  const clients: Client[] = [];
  for (let i = 0; i < 16; i++) {
    const c = await open(t, hub, await wsToken(hub, 'ada'));
    t.is((await c.next()).type, 'snapshot');
    clients.push(c);
  }
  const extra = await open(t, hub, await wsToken(hub, 'ada'));
  const code = await new Promise<number>((resolve) => extra.ws.once('close', (c) => resolve(c)));
  t.is(code, 1008);
});

test('an upgrade gets its line in the request log, without its token', async (t) => {
  const hub = await fixtureHub(t);
  const token = await wsToken(hub, 'ada');
  const client = await open(t, hub, token, 'query');
  t.is((await client.next()).type, 'snapshot');
  t.true(hub.log.some((l) => l === 'GET /ws/v1/events/ 101 (team acme)'), hub.log.join('\n'));
  t.false(hub.log.join('\n').includes(token));
});

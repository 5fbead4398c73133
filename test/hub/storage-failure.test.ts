import test, { type ExecutionContext } from 'ava';
import type Database from 'better-sqlite3';
import { join } from 'node:path';
import WebSocket from 'ws';
import { addUser, serveHub, type HubStorage } from '../../hub/index.js';
import { HubStorageError } from '../../hub/storage/storage.js';
import { createSqliteStorage } from '../../hub/storage/sqlite/index.js';
import { tempDir } from '../helpers/cli.js';
import { envelope } from '../helpers/envelope.js';
import { PASSWORD } from './hub-fixture.js';

// A temporary storage failure (a full disk, an I/O error, a database that is down) is never
// answered `rejected`, which clients take as final (the event goes dead): the batch route answers
// 503 with Retry-After for the whole request, and the socket sends no ack and closes with 1013,
// so the client sends the event again. Once the storage is back, the same events are stored.

/** A SQLite storage whose file cannot grow while `full` is on (SQLITE_FULL, a real one). */
async function fillableStorage(): Promise<{ storage: HubStorage; full(on: boolean): void }> {
  const storage = createSqliteStorage({ file: join(tempDir('sk-hub-full-'), 'hub.db') });
  await storage.migrate();
  await addUser(storage, 'ada', 'acme', PASSWORD);
  // The private connection: max_page_count is per connection, and this is the hub's own.
  const db = (storage as unknown as { db: Database.Database }).db;
  return {
    storage,
    full(on) {
      const pages = db.pragma('page_count', { simple: true }) as number;
      db.pragma(`max_page_count = ${on ? pages : 1_000_000_000}`);
    },
  };
}

/** Events big enough to need new pages. */
const bigEvents = (n: number) => Array.from({ length: n }, () => envelope({
  team_slug: 'acme',
  payload: { wp_id: 'WP01', previous_status: 'planned', new_status: 'doing', changed_by: 'ada', feature_slug: '001-x', note: 'x'.repeat(30_000) },
}));

async function hubOn(t: ExecutionContext, storage: HubStorage) {
  const log: string[] = [];
  const hub = await serveHub({ storage, host: '127.0.0.1', port: 0, log: (line) => log.push(line) });
  t.teardown(() => hub.close());
  const post = async (path: string, body: unknown, token?: string) => {
    const r = await fetch(`${hub.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    return { status: r.status, headers: r.headers, body: await r.json() as any };
  };
  const access = (await post('/api/v1/token/', { username: 'ada', password: PASSWORD })).body.access as string;
  return { hub, log, post, access };
}

test('SQLite: a full database fails the ingest as unavailable, never a rejected result', async (t) => {
  const { storage, full } = await fillableStorage();
  t.teardown(() => storage.close());
  const team = (await storage.findUser('ada'))!.team;
  full(true);
  const error = await t.throwsAsync(storage.ingest(team.id, bigEvents(3), Date.now()));
  t.true(error instanceof HubStorageError, String(error));
  t.is((error as HubStorageError).code, 'unavailable');
  full(false);
  const results = await storage.ingest(team.id, bigEvents(3), Date.now());
  t.deepEqual(results.map((r) => r.status), ['success', 'success', 'success']);
});

test('the batch route answers a storage failure with 503 and Retry-After for the whole request; the same batch is stored once the storage is back', async (t) => {
  const { storage, full } = await fillableStorage();
  const { post, access, log } = await hubOn(t, storage);
  const events = bigEvents(4);
  full(true);
  const r = await post('/api/v1/events/batch/', { events }, access);
  t.is(r.status, 503, JSON.stringify(r.body));
  t.is(r.body.error, 'unavailable');
  t.is(typeof r.body.message, 'string');
  t.is(r.body.retry_after, Number(r.headers.get('retry-after')));
  t.true(Number(r.headers.get('retry-after')) >= 1);
  t.false(JSON.stringify(r.body).includes('rejected'));
  t.true(log.some((l) => /error: .*could not store the events/.test(l)), log.join('\n'));
  full(false);
  const again = await post('/api/v1/events/batch/', { events }, access);
  t.is(again.status, 200);
  t.deepEqual(again.body.results.map((x: any) => x.status), ['success', 'success', 'success', 'success']);
});

test('a storage that is down (any backend\'s HubStorageError unavailable) is a 503 too', async (t) => {
  const { storage } = await fillableStorage();
  const { post, access } = await hubOn(t, storage);
  const ingest = storage.ingest.bind(storage);
  storage.ingest = async () => { throw new HubStorageError('unavailable', 'cannot use the hub database: connection refused'); };
  t.teardown(() => { storage.ingest = ingest; });
  const r = await post('/api/v1/events/batch/', { events: [envelope({ team_slug: 'acme' })] }, access);
  t.is(r.status, 503);
  t.is(r.body.error, 'unavailable');
  t.false(r.body.message.includes('connection refused'), 'no storage detail on the wire');
});

test('the socket sends no rejected ack for an event the storage could not take: it closes with 1013, and the event is stored when sent again', async (t) => {
  const { storage, full } = await fillableStorage();
  const { hub, post, access } = await hubOn(t, storage);
  const openSocket = async () => {
    const grant = await post('/api/v1/ws-token/', {}, access);
    const ws = new WebSocket(`${hub.url.replace(/^http/, 'ws')}/ws/v1/events/`, { headers: { authorization: `Bearer ${grant.body.ws_token}` } });
    t.teardown(() => ws.terminate());
    const messages: any[] = [];
    ws.on('message', (data) => messages.push(JSON.parse(data.toString())));
    const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
    while (!messages.some((m) => m.type === 'snapshot')) await new Promise((resolve) => setTimeout(resolve, 20));
    return { ws, messages, closed };
  };
  const [event] = bigEvents(1);
  const first = await openSocket();
  full(true);
  first.ws.send(JSON.stringify(event));
  const closed = await first.closed;
  t.is(closed.code, 1013);
  t.deepEqual(first.messages.filter((m) => m.type === 'ack'), [], 'no ack at all, least of all rejected');

  full(false);
  const second = await openSocket();
  second.ws.send(JSON.stringify(event));
  while (!second.messages.some((m) => m.type === 'ack')) await new Promise((resolve) => setTimeout(resolve, 20));
  t.like(second.messages.find((m) => m.type === 'ack'), { event_id: event.event_id, status: 'success' });
});

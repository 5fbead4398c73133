import test, { type ExecutionContext } from 'ava';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { IngestEnvelope } from '../../contract/index.js';
import { addUser, serveHub, type HubStorage } from '../../hub/index.js';
import type { LiveOptions } from '../../hub/live/fanout.js';
import { createSqliteStorage } from '../../hub/storage/sqlite/index.js';
import { newUlid } from '../../lib/ulid.js';
import { tempDir } from '../helpers/cli.js';
import { envelope } from '../helpers/envelope.js';
import { PASSWORD } from './hub-fixture.js';

// A large team's snapshot is bigger than a socket's send cap (200 projects × 50 WPs ≈ 1.7 MiB
// against 1 MiB). The snapshot is not counted against the cap: pushes wait until it drained,
// then the cap holds for them as before. Here the cap is shrunk (64 KiB) and the snapshot is a few
// MiB, more than loopback's kernel buffers take while the client does not read: "a real link".

const CAP = 64 * 1024;

/** `wps` WPs with long titles, stored directly: a snapshot of about wps × 2.2 KiB. */
async function bigTeamStorage(wps: number): Promise<HubStorage> {
  const storage = createSqliteStorage({ file: join(tempDir('sk-hub-big-'), 'hub.db') });
  await storage.migrate();
  const ada = await addUser(storage, 'ada', 'acme', PASSWORD);
  const events: IngestEnvelope[] = [];
  for (let i = 0; i < wps; i++) {
    const project_uuid = `00000000-0000-4000-8000-${String(Math.floor(i / 50)).padStart(12, '0')}`;
    const wp_id = `WP${String(i % 50).padStart(2, '0')}`;
    events.push({
      event_id: newUlid(), event_type: 'WPCreated', aggregate_type: 'WorkPackage', aggregate_id: wp_id, lamport_clock: i + 1,
      node_id: '0123456789ab', causation_id: null, correlation_id: newUlid(), team_slug: 'acme', project_uuid, project_slug: 'big',
      timestamp: new Date().toISOString(),
      payload: { wp_id, title: `${wp_id} ${'a long title '.repeat(170)}`, feature_slug: '001-big', lane: 'planned', dependencies: [] },
    } as unknown as IngestEnvelope);
  }
  for (let i = 0; i < events.length; i += 500) await storage.ingest(ada.team.id, events.slice(i, i + 500), Date.now());
  return storage;
}

async function hubOn(t: ExecutionContext, storage: HubStorage, live: LiveOptions) {
  const log: string[] = [];
  const hub = await serveHub({ storage, host: '127.0.0.1', port: 0, log: (line) => log.push(line), live });
  t.teardown(() => hub.close());
  const post = async (path: string, body: unknown, token?: string) => {
    const r = await fetch(`${hub.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: r.status, body: await r.json() as any };
  };
  const access = (await post('/api/v1/token/', { username: 'ada', password: PASSWORD })).body.access as string;
  /** A socket whose reader is paused from the start: the snapshot piles up in the hub's buffer. */
  const pausedSocket = async () => {
    const grant = await post('/api/v1/ws-token/', undefined, access);
    const ws = new WebSocket(`${hub.url.replace(/^http/, 'ws')}/ws/v1/events/`, { headers: { authorization: `Bearer ${grant.body.ws_token}` } });
    t.teardown(() => ws.terminate());
    const messages: any[] = [];
    ws.on('message', (data) => messages.push(JSON.parse(data.toString())));
    const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => { ws.pause(); resolve(); });
      ws.once('error', reject);
    });
    return { ws, messages, closed };
  };
  return { log, post, access, pausedSocket };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await sleep(20);
}

test('a snapshot over the send cap is not counted against it: a push stored right after waits for it to drain, and the socket stays open', async (t) => {
  const storage = await bigTeamStorage(2000);
  const { log, post, access, pausedSocket } = await hubOn(t, storage, { maxBufferedBytes: CAP, closeGraceMs: 30_000 });
  const socket = await pausedSocket();
  await sleep(500); // the snapshot is sent, most of it still in the hub's buffer: the reader is paused
  const event = envelope({ team_slug: 'acme' });
  t.is((await post('/api/v1/events/batch/', { events: [event] }, access)).status, 200);
  await sleep(300);
  socket.ws.resume();
  const deadline = Date.now() + 20_000;
  while (!socket.messages.some((m) => m.type === 'event') && Date.now() < deadline && socket.ws.readyState === WebSocket.OPEN) await sleep(20);
  t.is(socket.ws.readyState, WebSocket.OPEN, log.join('\n'));
  t.false(log.some((l) => l.includes('dropped a slow reader')), log.join('\n'));
  t.is(socket.messages[0]?.type, 'snapshot');
  t.true(Buffer.byteLength(JSON.stringify(socket.messages[0])) > 4 * CAP * 10, 'the snapshot is many times the cap');
  t.like(socket.messages.find((m) => m.type === 'event'), { event_id: event.event_id });
});

test('a socket that never drains its snapshot is dropped (1013) after snapshotDrainMs, with its held pushes', async (t) => {
  const storage = await bigTeamStorage(2000);
  const { log, post, access, pausedSocket } = await hubOn(t, storage, { maxBufferedBytes: CAP, snapshotDrainMs: 800, closeGraceMs: 30_000 });
  const socket = await pausedSocket();
  await post('/api/v1/events/batch/', { events: [envelope({ team_slug: 'acme' })] }, access);
  await until(() => log.some((l) => l.includes('dropped a slow reader')));
  t.true(log.some((l) => /dropped a slow reader .*snapshot unsent after 800 ms/.test(l)), log.join('\n'));
  // The reader wakes up: the snapshot, then the close (1013), and no push.
  socket.ws.resume();
  const closed = await Promise.race([socket.closed, sleep(20_000).then(() => null)]);
  t.is(closed?.code, 1013, log.join('\n'));
  t.false(socket.messages.some((m) => m.type === 'event'));
});

test('the cap still holds for pushes once the snapshot drained: held pushes over the cap drop the socket', async (t) => {
  const storage = await bigTeamStorage(2000);
  const { log, post, access, pausedSocket } = await hubOn(t, storage, { maxBufferedBytes: CAP, closeGraceMs: 30_000 });
  const socket = await pausedSocket();
  await sleep(300);
  // While the snapshot drains, more than the cap of pushes piles up behind it.
  const filler = 'x'.repeat(30_000);
  const events = Array.from({ length: 4 }, () => envelope({ team_slug: 'acme', payload: { wp_id: 'WP01', previous_status: 'planned', new_status: 'doing', changed_by: 'ada', feature_slug: '001-x', filler } as any }));
  t.is((await post('/api/v1/events/batch/', { events }, access)).status, 200);
  await until(() => log.some((l) => l.includes('dropped a slow reader')));
  t.true(log.some((l) => /bytes waiting behind the snapshot/.test(l)), log.join('\n'));
  socket.ws.resume();
  const closed = await Promise.race([socket.closed, sleep(20_000).then(() => null)]);
  t.is(closed?.code, 1013);
});

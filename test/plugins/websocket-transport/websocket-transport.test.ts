import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Emitter } from '../../../cli/composition-root.js';
import type { Plugin } from '../../../core/plugin.js';
import { TOKENS } from '../../../core/tokens.js';
import { serveHub } from '../../../hub/index.js';
import { createSqliteStorage } from '../../../hub/storage/sqlite/index.js';
import { saveCredentials } from '../../../services/auth/credentials-store.js';
import { credentialsFromToken } from '../../../services/auth/refresh.js';
import { REPO_ROOT } from '../../helpers/cli.js';
import { startHub, type TestHub } from '../../hub/hub-fixture.js';
import { blackHole } from '../../services/hub-client/fault-server.js';
import { silentHub } from './silent-hub.js';
import { PROJECT_UUID, run, workspace, wpMove, type Workspace } from '../queue-pipeline.js';

const wp = (i: number) => `WP${String(i % 100).padStart(2, '0')}`;

const FAST = { ackTimeoutMs: 800, reconnectBaseMs: 20, reconnectMaxMs: 200, connectTimeoutMs: 2_000 };
const PIPELINE = (options: Record<string, unknown> = FAST) => [
  { use: 'fake-identity' }, { use: 'team-slug-auth' }, { use: 'queue-persist', required: true }, { use: 'websocket-transport', options },
];

async function logIn(ws: Workspace, hub: Pick<TestHub, 'login'>, url: string, user = 'ada') {
  const answer = await hub.login(user);
  await saveCredentials(ws.home, credentialsFromToken({ ...answer, access_lifetime: 900, refresh_lifetime: 3600 }, { hub_url: url, username: user }, Date.now()));
}

async function stateOf(emitter: Emitter, eventId: string) {
  const { events } = await emitter.container.get(TOKENS.ReadQueue).list({ limit: 0 });
  return events.find((e) => e.event_id === eventId);
}

/** Emits until an event comes back sent from its own emit: the socket is open (bounded: 5 s). */
async function emitUntilLive(t: ExecutionContext, emitter: Emitter): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < 100; i++) {
    const r = await emitter.emit(wpMove(wp(i), 'planned', 'doing'));
    ids.push(r.envelope.event_id);
    if ((await stateOf(emitter, r.envelope.event_id))?.state === 'sent') return ids;
    await sleep(50);
  }
  t.fail('the socket never opened');
  return ids;
}

function t_assertOk(status: number) {
  if (status !== 200) throw new Error(`the hub answered ${status}`);
}

async function hubEvents(hub: TestHub, token: string) {
  const r = await hub.call(`/api/v1/projects/${PROJECT_UUID}/events/?limit=500`, { token });
  t_assertOk(r.status);
  return (r.body.events as Array<{ envelope: { event_id: string; team_slug: string } }>).map((e) => e.envelope);
}

test('delivers over the socket and marks each event sent on its ack; the hub stores each once', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.hub.close());
  const ws = workspace();
  await logIn(ws, hub, hub.url);
  const { emitter } = await run(ws, PIPELINE());
  t.teardown(() => emitter.close());

  const first = await emitUntilLive(t, emitter);
  const live: string[] = [];
  for (let i = 0; i < 5; i++) {
    const r = await emitter.emit(wpMove(wp(i), 'planned', 'doing'));
    live.push(r.envelope.event_id);
    t.is((await stateOf(emitter, r.envelope.event_id))?.state, 'sent', 'sent by the time emit returns');
  }
  const { access } = await hub.login('ada');
  const stored = await hubEvents(hub, access);
  for (const id of live) t.is(stored.filter((e) => e.event_id === id).length, 1);
  t.true(stored.every((e) => e.team_slug === 'acme'));
  // Events before the socket opened stay pending for batch sync: none is lost.
  for (const id of first.slice(0, -1)) t.is((await stateOf(emitter, id))?.state, 'pending');
  t.true(hub.log.some((l) => /POST \/api\/v1\/ws-token\/ 200/.test(l)), 'the ws-token exchange came first');
});

test('an event the hub rejects is dead, with its reason', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.hub.close());
  const ws = workspace();
  await logIn(ws, hub, hub.url);
  // After team-slug-auth: an event claiming another team is refused by the hub.
  const otherTeam: Plugin = { name: 'other-team', apply(h) { h.enrich.tap('other-team', (e) => ({ ...e, team_slug: 'evil' })); } };
  const { emitter } = await run(ws, [...PIPELINE().slice(0, 2), { use: 'other-team' }, ...PIPELINE().slice(2)], { builtins: { 'other-team': async () => ({ default: otherTeam }) } });
  t.teardown(() => emitter.close());
  // The first events go out before the socket is open; once it is, each one is acked at once.
  let r = await emitter.emit(wpMove('WP99', 'planned', 'doing'));
  for (let i = 0; i < 100 && (await stateOf(emitter, r.envelope.event_id))?.state !== 'dead'; i++) {
    await sleep(50);
    r = await emitter.emit(wpMove(wp(i), 'planned', 'doing'));
  }
  const row = await stateOf(emitter, r.envelope.event_id);
  t.is(row?.state, 'dead');
  t.regex(row?.last_error ?? '', /team/);
});

test('it survives a hub restart: reconnects, loses nothing, and sends nothing twice as a new event', async (t) => {
  const db = join(workspace().dir, 'hub.db');
  const first = await startHub({ db });
  const ws = workspace();
  await logIn(ws, first, first.url);
  const { access } = await first.login('ada');
  const { emitter } = await run(ws, PIPELINE());
  t.teardown(() => emitter.close());
  const before = await emitUntilLive(t, emitter);

  await first.hub.close();
  const whileDown: string[] = [];
  for (let i = 0; i < 3; i++) whileDown.push((await emitter.emit(wpMove(wp(i), 'planned', 'doing'))).envelope.event_id);
  for (const id of whileDown) t.is((await stateOf(emitter, id))?.state, 'pending', 'kept for batch sync');

  // The same port and database: the stored login still points at it.
  const port = Number(new URL(first.url).port);
  const storage = createSqliteStorage({ file: db });
  const second = await serveHub({ storage, host: '127.0.0.1', port, log: () => {} });
  t.teardown(() => second.close());
  const after = await emitUntilLive(t, emitter);

  const restarted = { ...first, url: second.url };
  const stored = await hubEvents(restarted as TestHub, access);
  const ids = stored.map((e) => e.event_id);
  t.is(new Set(ids).size, ids.length, 'no event twice on the hub');
  const sent = (await emitter.container.get(TOKENS.ReadQueue).list({ state: 'sent', limit: 0 })).events.map((e) => e.event_id);
  for (const id of sent) t.true(ids.includes(id), 'every event marked sent is on the hub');
  const all = [...before, ...whileDown, ...after];
  for (const id of all) t.true(['sent', 'pending'].includes((await stateOf(emitter, id))!.state), 'nothing lost: sent, or pending for batch sync');
  t.true(after.length >= 1);
});

test('a black-holed hub adds nothing to emit beyond the deliver budget, and close returns by its deadline', async (t) => {
  const hole = await blackHole(t);
  const ws = workspace();
  await logIn(ws, { login: async () => ({ access: 'a'.repeat(43), refresh: 'r'.repeat(43), team_slug: 'acme' }) }, hole);
  const { emitter } = await run(ws, PIPELINE({ ...FAST, connectTimeoutMs: 10_000 }));
  for (let i = 0; i < 5; i++) {
    const started = Date.now();
    const r = await emitter.emit(wpMove(wp(i), 'planned', 'doing'));
    t.true(Date.now() - started < 1_000, 'within the deliver deadline');
    t.is((await stateOf(emitter, r.envelope.event_id))?.state, 'pending');
  }
  const closing = Date.now();
  await emitter.close(Date.now() + 300);
  t.true(Date.now() - closing < 2_000, 'close is bounded by its deadline');
});

test('logged out, or in a CLI command, it opens no connection', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.hub.close());
  const loggedOut = workspace();
  const a = await run(loggedOut, PIPELINE());
  for (let i = 0; i < 3; i++) await a.emitter.emit(wpMove(wp(i), 'planned', 'doing'));
  await a.emitter.close();

  const command = workspace();
  await logIn(command, hub, hub.url);
  const b = await run(command, PIPELINE(), { lifetime: 'command' });
  for (let i = 0; i < 3; i++) await b.emitter.emit(wpMove(wp(i), 'planned', 'doing'));
  await sleep(200);
  await b.emitter.close();
  t.false(hub.log.some((l) => /ws-token|\/ws\/v1/.test(l)), hub.log.join('\n'));
});

test('an open socket never holds the process open', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.hub.close());
  const ws = workspace();
  await logIn(ws, hub, hub.url);
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=spec-kitty-source', join(REPO_ROOT, 'test/plugins/websocket-transport/fixtures/emit-and-leave.ts')], {
    env: { ...process.env, WS_HOME: ws.home, WS_PROJECT: ws.project, WS_DIR: ws.dir }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  t.teardown(() => { clearTimeout(timer); child.kill('SIGKILL'); });
  t.is(await exited, 0, out);
  t.regex(out, /live: sent/);
});

test('a socket that stops answering pings is cut and opened again', async (t) => {
  const hub = await silentHub(t);
  const ws = workspace();
  await logIn(ws, { login: async () => ({ access: 'a'.repeat(43), refresh: 'r'.repeat(43), team_slug: 'acme' }) }, hub.url);
  const { emitter } = await run(ws, PIPELINE({ ...FAST, pingIntervalMs: 100 }));
  t.teardown(() => emitter.close());
  await emitter.emit(wpMove(wp(1), 'planned', 'doing'));
  for (let i = 0; i < 100 && hub.connections() < 2; i++) await sleep(50);
  t.true(hub.connections() >= 2, `reconnected after the unanswered ping (${hub.connections()} connections)`);
});

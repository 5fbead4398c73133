import test, { type ExecutionContext } from 'ava';
import { blackHole } from '../../services/hub-client/fault-server.js';
import { accept, acceptedIds, fakeHub, type Answer, type HubRequest } from './fault-hub.js';
import { engine, events, logIn, rows, seed, statesOf, syncServices } from './fixtures.js';

const TOKENS = { access: 'access-token', refresh: 'refresh-token' };
const soon = (ms = 30_000) => Date.now() + ms;
const ok = (req: HubRequest) => req.path === '/api/v1/events/batch/' && req.events.length > 0;

/** Queued events, logged in to `url`. */
async function queued(t: ExecutionContext, url: string, n: number) {
  const f = syncServices(t);
  const sent = events(n);
  await seed(f, sent);
  await logIn(f.home, url, TOKENS);
  return { f, ids: sent.map((e) => e.event_id) };
}

test('a black hole: the drain returns by its deadline, the events still pending, no attempt counted', async (t) => {
  const url = await blackHole(t);
  const { f } = await queued(t, url, 5);
  const deadline = Date.now() + 1000;
  const summary = await engine(f).drain({ deadline });
  t.true(Date.now() < deadline + 2000, 'did not hang past its deadline');
  t.like(summary, { sent: 0, left: 5, loggedOut: false });
  t.true([...(await rows(f)).values()].every((r) => r.state === 'pending' && r.attempts === 0));
  t.is((await f.services.syncQueue().claim({ limit: 10, leaseMs: 1000 })).length, 5, 'released: nothing holds them');
});

test('a slow hub: it delivers within the deadline; past the deadline the request is cut and nothing is lost', async (t) => {
  const slow = await fakeHub(t, (req) => ({ ...accept(req), delayMs: 400 }));
  const { f, ids } = await queued(t, slow.url, 3);
  t.like(await engine(f).drain({ deadline: soon() }), { sent: 3, left: 0 });
  t.deepEqual(acceptedIds(slow.batches(), ok), ids);

  const slower = await fakeHub(t, (req) => ({ ...accept(req), delayMs: 5_000 }));
  const late = await queued(t, slower.url, 3);
  const deadline = Date.now() + 800;
  const summary = await engine(late.f).drain({ deadline });
  t.true(Date.now() < deadline + 2000, 'did not wait for the answer');
  t.like(summary, { sent: 0, left: 3 });
  t.deepEqual(await statesOf(late.f), { pending: 3 });
});

for (const status of [500, 503, 403, 408]) {
  test(`${status} then OK: the batch is retried after a backoff and gets through`, async (t) => {
    const hub = await fakeHub(t, (req, n) => (n === 0 ? { status, body: { error: 'oops' } } : accept(req)));
    const { f, ids } = await queued(t, hub.url, 4);
    const summary = await engine(f, {}, () => 0.5).drain({ deadline: soon() });
    t.like(summary, { sent: 4, retried: 4, left: 0, error: null });
    t.is(hub.batches().length, 2);
    t.deepEqual(acceptedIds(hub.batches().slice(1), ok), ids);
    const waited = hub.batches()[1]!.at - hub.batches()[0]!.at;
    t.true(waited >= 200, `backed off (${waited} ms; half of a 0.5 s ceiling)`);
    t.true([...(await rows(f)).values()].every((r) => r.attempts === 1 && r.state === 'sent'));
    t.is((await f.services.readQueue().stats()).lastSyncError, null, 'the success cleared the error');
  });
}

test('a whole-batch failure is recorded for sync status until a batch gets through', async (t) => {
  const hub = await fakeHub(t, () => ({ status: 500, body: { error: 'oops' } }));
  const { f } = await queued(t, hub.url, 2);
  const summary = await engine(f, { backoffBaseMs: 100 }).drain({ deadline: Date.now() + 3000 });
  t.regex(summary.error ?? '', /500 server \(oops\)/);
  t.like(summary, { sent: 0, left: 2 });
  t.true(summary.retried >= 2);
  t.regex((await f.services.readQueue().stats()).lastSyncError?.message ?? '', /500 server/);
  t.true([...(await rows(f)).values()].every((r) => r.attempts >= 1 && r.last_error?.includes('500')));
});

test('429 with Retry-After: the next attempt waits at least that long', async (t) => {
  const hub = await fakeHub(t, (req, n) => (n === 0 ? { status: 429, body: { error: 'rate_limited' }, headers: { 'retry-after': '1' } } : accept(req)));
  const { f, ids } = await queued(t, hub.url, 3);
  const summary = await engine(f, {}, () => 0).drain({ deadline: soon() });
  t.like(summary, { sent: 3, retried: 3, left: 0 });
  const [first, second] = hub.batches();
  t.true(second!.at - first!.at >= 1000, `waited ${second!.at - first!.at} ms`);
  t.deepEqual(acceptedIds([second!], ok), ids);
});

test('413 above N events: batches are halved until the hub takes them, and all arrive', async (t) => {
  const N = 100;
  const hub = await fakeHub(t, (req) => (req.events.length > N ? { status: 413, body: { error: 'too_large' } } : accept(req)));
  const { f, ids } = await queued(t, hub.url, 1000);
  const summary = await engine(f).drain({ deadline: soon() });
  t.like(summary, { sent: 1000, dead: 0, retried: 0, left: 0 });
  const taken = hub.batches().filter((r) => r.events.length <= N);
  t.deepEqual(acceptedIds(taken, ok).sort(), [...ids].sort(), 'each event accepted exactly once');
});

test('413 with the hub\'s limits: later batches are cut to them; one event too large alone is dead', async (t) => {
  const limits = { max_events_per_batch: 7, max_decompressed_bytes_per_batch: 1 << 20, max_event_bytes: 2000 };
  const hub = await fakeHub(t, (req) => {
    if (req.events.length > 7 || req.events.some((e) => JSON.stringify(e).length > 2000)) return { status: 413, body: { error: 'too_large', limits } };
    return accept(req);
  });
  const f = syncServices(t);
  const sent = events(30);
  sent[12] = { ...sent[12]!, payload: { ...sent[12]!.payload, notes: 'x'.repeat(5000) } };
  await seed(f, sent);
  await logIn(f.home, hub.url, TOKENS);
  const summary = await engine(f).drain({ deadline: soon() });
  t.like(summary, { sent: 29, dead: 1, left: 0 });
  t.regex((await rows(f)).get(sent[12]!.event_id)!.last_error ?? '', /too large for the hub: \d+ bytes/);
  t.is(hub.batches().filter((r) => r.events.length > 7).length, 1, 'only the first batch was over the hub\'s limit');
});

test('400 without details: bisected down to the poison event, which is dead with its reason; its neighbours arrive', async (t) => {
  let poison = '';
  const hub = await fakeHub(t, (req) => (req.events.some((e) => e.event_id === poison) ? { status: 400, body: { error: 'bad_request', message: 'cannot read the batch' } } : accept(req)));
  const f = syncServices(t);
  const sent = events(40);
  poison = sent[23]!.event_id;
  await seed(f, sent);
  await logIn(f.home, hub.url, TOKENS);
  const summary = await engine(f).drain({ deadline: soon() });
  t.like(summary, { sent: 39, dead: 1, retried: 0, left: 0 });
  const row = (await rows(f)).get(poison)!;
  t.is(row.state, 'dead');
  t.regex(row.last_error ?? '', /rejected by the hub: a batch holding only this event was refused .*400 bad_request \(bad_request: cannot read the batch\)/);
  const accepted = acceptedIds(hub.batches().filter((r) => !r.events.some((e) => e.event_id === poison)), ok);
  t.deepEqual(accepted.sort(), sent.map((e) => e.event_id).filter((id) => id !== poison).sort(), 'each neighbour exactly once');
  t.true(hub.batches().length <= 1 + 2 * Math.ceil(Math.log2(40)), `bisection, not one by one (${hub.batches().length} requests)`);
});

test('400 with details: the named events are dead with the hub\'s words, the rest are sent again at once', async (t) => {
  let poison: string[] = [];
  const hub = await fakeHub(t, (req): Answer => {
    const named = req.events.filter((e) => poison.includes(e.event_id));
    if (named.length === 0) return accept(req);
    return { status: 400, body: { error: 'invalid_events', details: named.map((e) => ({ event_id: e.event_id, error: `lamport_clock of ${e.event_id} is not a clock` })) } };
  });
  const f = syncServices(t);
  const sent = events(10);
  poison = [sent[2]!.event_id, sent[7]!.event_id];
  await seed(f, sent);
  await logIn(f.home, hub.url, TOKENS);
  const summary = await engine(f).drain({ deadline: soon() });
  t.like(summary, { sent: 8, dead: 2, left: 0 });
  t.is(hub.batches().length, 2);
  const all = await rows(f);
  for (const id of poison) t.is(all.get(id)!.last_error, `rejected by the hub: lamport_clock of ${id} is not a clock`);
});

test('per-event results: rejected is dead with its reason; an event without a result is retried later', async (t) => {
  let silent = '';
  const hub = await fakeHub(t, (req) => ({
    status: 200,
    body: { results: req.events.filter((e) => e.event_id !== silent).map((e, i) => (i === 0 ? { event_id: e.event_id, status: 'rejected', error_message: 'unknown team' } : { event_id: e.event_id, status: i === 1 ? 'duplicate' : 'success' })) },
  }));
  const f = syncServices(t);
  const sent = events(4);
  silent = sent[3]!.event_id;
  await seed(f, sent);
  await logIn(f.home, hub.url, TOKENS);
  // Its next attempt is far off: the drain is stopped once the batch is settled.
  const stop = new AbortController();
  const summary = await engine(f, { backoffBaseMs: 20_000 }, () => 0.99).drain({ deadline: soon(), signal: stop.signal, onProgress: () => stop.abort() });
  t.like(summary, { sent: 1, duplicate: 1, dead: 1, retried: 1 });
  const all = await rows(f);
  t.like(all.get(sent[0]!.event_id), { state: 'dead', last_error: 'rejected by the hub: unknown team' });
  t.like(all.get(silent), { state: 'pending', attempts: 1, last_error: 'the hub gave no result for this event' });
  t.true(Date.parse(all.get(silent)!.next_attempt_at!) > Date.now() + 15_000, 'backed off by its own attempts');
  t.is(hub.batches().length, 1);
});

test('401 again right after a refresh: logged-out mode, the events kept', async (t) => {
  const hub = await fakeHub(t, (req) => {
    if (req.path === '/api/v1/token/refresh/') {
      return { status: 200, body: { access: 'new-access', refresh: 'new-refresh', access_lifetime: 900, refresh_lifetime: 86_400, team_slug: 'acme' } };
    }
    return { status: 401, body: { error: 'invalid_token' } };
  });
  const { f } = await queued(t, hub.url, 3);
  const summary = await engine(f).drain({ deadline: soon() });
  t.like(summary, { sent: 0, loggedOut: true, left: 3 });
  t.deepEqual(hub.requests.map((r) => r.path), ['/api/v1/events/batch/', '/api/v1/token/refresh/', '/api/v1/events/batch/']);
  t.is(hub.requests[2]!.headers.authorization, 'Bearer new-access');
  t.true([...(await rows(f)).values()].every((r) => r.state === 'pending' && r.attempts === 0));
  t.true(f.log.some((l) => /refused a freshly refreshed login/.test(l)));
});

test('the hub cannot refresh the token (500): the drain backs off with the error recorded, the events released unattempted', async (t) => {
  const hub = await fakeHub(t, (req) => (req.path === '/api/v1/token/refresh/' ? { status: 500, body: { error: 'down' } } : accept(req)));
  const f = syncServices(t);
  await seed(f, events(3));
  await logIn(f.home, hub.url, TOKENS, 1);
  const summary = await engine(f, { backoffBaseMs: 100 }).drain({ deadline: Date.now() + 4_000 });
  t.like(summary, { sent: 0, left: 3, loggedOut: false });
  t.regex(summary.error ?? '', /500 server \(down\)/);
  t.deepEqual(hub.batches(), []);
  t.true(hub.requests.length >= 1);
  t.true([...(await rows(f)).values()].every((r) => r.state === 'pending' && r.attempts === 0));
});

test('the health route\'s limits, when asked for, cut the batches; a failing health route changes nothing', async (t) => {
  const hub = await fakeHub(t, (req) => (req.path === '/api/v1/sync/health/'
    ? { status: 200, body: { status: 'ok', sync_ingress: { limits: { max_events_per_batch: 4, max_decompressed_bytes_per_batch: 1 << 20 } } } }
    : accept(req)));
  const { f } = await queued(t, hub.url, 10);
  t.like(await engine(f, { checkHubLimits: true }).drain({ deadline: soon() }), { sent: 10 });
  t.deepEqual(hub.batches().map((r) => r.events.length), [4, 4, 2]);
  t.is(hub.requests.filter((r) => r.path === '/api/v1/sync/health/').length, 1, 'once per drain');

  const broken = await fakeHub(t, (req) => (req.path === '/api/v1/sync/health/' ? { status: 500 } : accept(req)));
  const other = await queued(t, broken.url, 10);
  t.like(await engine(other.f, { checkHubLimits: true }).drain({ deadline: soon() }), { sent: 10, error: null });
  t.deepEqual(broken.batches().map((r) => r.events.length), [10]);
});

test('batches go gzip, one project each', async (t) => {
  const hub = await fakeHub(t, accept);
  const f = syncServices(t);
  await seed(f, events(6, [events(1)[0]!.project_uuid!, '0a1b2c3d-4e5f-4061-8273-94a5b6c7d8e9']));
  await logIn(f.home, hub.url, TOKENS);
  await engine(f).drain({ deadline: soon() });
  t.is(hub.batches().length, 2);
  for (const r of hub.batches()) {
    t.is(r.headers['content-encoding'], 'gzip');
    t.is(new Set(r.events.map((e) => e.project_uuid)).size, 1);
  }
});

test('stop() cuts a drain in flight and releases what it claimed; the engine sends nothing after', async (t) => {
  const hub = await fakeHub(t, (req) => ({ ...accept(req), delayMs: 10_000 }));
  const { f } = await queued(t, hub.url, 4);
  const sync = engine(f);
  const draining = sync.drain({ deadline: soon() });
  while (hub.requests.length === 0) await new Promise((r) => setTimeout(r, 20));
  await sync.stop();
  t.like(await draining, { sent: 0, left: 4 });
  t.true([...(await rows(f)).values()].every((r) => r.state === 'pending' && r.attempts === 0));
  t.like(await sync.drain({ deadline: soon() }), { sent: 0, left: 4 });
  t.is(hub.requests.length, 1);
  t.is((await f.services.syncQueue().claim({ limit: 10, leaseMs: 1000 })).length, 4, 'nothing holds a lease');
});

import test from 'ava';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { accept, fakeHub } from './fault-hub.js';
import { engine, events, loggedOut, logIn, rows, seed, syncServices } from './fixtures.js';

const soon = () => Date.now() + 30_000;

test('logged out: nothing is sent, no network call is made, nothing is lost', async (t) => {
  const hub = await fakeHub(t, accept);
  const f = syncServices(t);
  await seed(f, events(7));
  await loggedOut(f.home, hub.url);
  const summary = await engine(f).drain({ deadline: soon() });
  t.deepEqual(summary, { sent: 0, duplicate: 0, dead: 0, retried: 0, left: 7, loggedOut: true, error: null });
  t.deepEqual(hub.requests, []);
  t.true([...(await rows(f)).values()].every((r) => r.state === 'pending' && r.attempts === 0));
});

test('never logged in: the same, without a credentials file', async (t) => {
  const f = syncServices(t);
  await seed(f, events(2));
  t.like(await engine(f).drain({ deadline: soon() }), { sent: 0, left: 2, loggedOut: true });
});

test('nothing pending: no network call, not even a refresh of an expiring token', async (t) => {
  const hub = await fakeHub(t, accept);
  const f = syncServices(t);
  // An access token about to expire: asking the session for it would refresh it over the network.
  await logIn(f.home, hub.url, { access: 'a', refresh: 'r' }, 1);
  const summary = await engine(f).drain({ deadline: soon() });
  t.deepEqual(summary, { sent: 0, duplicate: 0, dead: 0, retried: 0, left: 0, loggedOut: false, error: null });
  t.false(existsSync(join(f.home, 'queue.db')), 'the queue file is not even created');

  const held = events(1)[0]!;
  await f.services.persistQueue().enqueue({ ...held, project_uuid: null, project_slug: null }, 'held');
  await seed(f, events(1));
  const [one] = await f.services.syncQueue().claim({ limit: 1, leaseMs: 60_000 });
  await f.services.syncQueue().markSent([one!.event_id]);
  t.like(await engine(f).drain({ deadline: soon() }), { sent: 0, left: 0 }, 'held and sent events are not pending');
  t.deepEqual(hub.requests, []);
});

test('a deadline already passed: no network call, the events kept', async (t) => {
  const hub = await fakeHub(t, accept);
  const f = syncServices(t);
  await seed(f, events(3));
  await logIn(f.home, hub.url, { access: 'a', refresh: 'r' });
  t.like(await engine(f).drain({ deadline: Date.now() }), { sent: 0, left: 3, loggedOut: false });
  t.deepEqual(hub.requests, []);
});

test('stopWhenIdle: events waiting for their next attempt are left for later, without a network call', async (t) => {
  const hub = await fakeHub(t, accept);
  const f = syncServices(t);
  await seed(f, events(3));
  // Near expiry: a session asked for a token would refresh it over the network.
  await logIn(f.home, hub.url, { access: 'a', refresh: 'r' }, 1);
  for (const e of await f.services.syncQueue().claim({ limit: 10, leaseMs: 1000 })) {
    await f.services.syncQueue().markRetry(e.event_id, 'earlier failure', Date.now() + 60_000);
  }
  const summary = await engine(f).drain({ deadline: soon(), stopWhenIdle: true });
  t.like(summary, { sent: 0, left: 3, loggedOut: false, error: null });
  t.deepEqual(hub.requests, []);
});

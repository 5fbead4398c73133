import test, { type ExecutionContext } from 'ava';
import { readCredentials } from '../../../services/auth/credentials.js';
import { startHub } from '../../hub/hub-fixture.js';
import { engine, events, logIn, PROJECT_A, PROJECT_B, PROJECT_C, rows, seed, statesOf, syncServices } from './fixtures.js';
import { hubEventIds, resultsTap } from './hub-tap.js';

async function liveHub(t: ExecutionContext) {
  const hub = await startHub();
  t.teardown(() => hub.hub.close());
  const tap = await resultsTap(t, hub.url);
  const reader = await hub.login('bob');
  const onHub = async (project: string) => hubEventIds(hub, reader.access, project);
  return { hub, tap, onHub };
}

const soon = (ms = 60_000) => Date.now() + ms;

test('every event reaches the hub exactly once: several projects, more than 1000 events', async (t) => {
  const { hub, tap, onHub } = await liveHub(t);
  const f = syncServices(t);
  const sent = events(2500, [PROJECT_A, PROJECT_B, PROJECT_C]);
  await seed(f, sent);
  await logIn(f.home, tap.url, await hub.login('ada'));
  const progress: number[] = [];
  const summary = await engine(f).drain({ deadline: soon(), onProgress: (p) => progress.push(p.sent) });

  t.deepEqual(summary, { sent: 2500, duplicate: 0, dead: 0, retried: 0, left: 0, loggedOut: false, error: null });
  t.deepEqual(tap.statuses, { success: 2500 });
  t.is(new Set(tap.successIds).size, 2500);
  for (const project of [PROJECT_A, PROJECT_B, PROJECT_C]) {
    const expected = sent.filter((e) => e.project_uuid === project).map((e) => e.event_id).sort();
    t.deepEqual((await onHub(project)).sort(), expected, project);
  }
  t.deepEqual(await statesOf(f), { sent: 2500 });
  t.true(progress.length >= 3 && progress.at(-1) === 2500, 'progress after each batch');
  t.is((await f.services.readQueue().stats()).lastSyncError, null);
});

test('two drains of one queue at once, as two processes: each event sent once, none twice', async (t) => {
  const { hub, tap, onHub } = await liveHub(t);
  const a = syncServices(t);
  const b = syncServices(t, a.home);
  const sent = events(3000, [PROJECT_A, PROJECT_B]);
  await seed(a, sent);
  await logIn(a.home, tap.url, await hub.login('ada'));
  const [one, two] = await Promise.all([
    engine(a, { maxEvents: 100 }).drain({ deadline: soon() }),
    engine(b, { maxEvents: 100 }).drain({ deadline: soon() }),
  ]);
  t.is(one.sent + two.sent, 3000);
  t.is(one.duplicate + two.duplicate, 0);
  t.true(one.sent > 0 && two.sent > 0, `both sent: ${one.sent} / ${two.sent}`);
  t.deepEqual(tap.statuses, { success: 3000 }, 'the hub never saw an event twice');
  t.is((await onHub(PROJECT_A)).length + (await onHub(PROJECT_B)).length, 3000);
});

test('401: one refresh, then the batch goes through with the new token', async (t) => {
  const { hub, tap, onHub } = await liveHub(t);
  const f = syncServices(t);
  const sent = events(5);
  await seed(f, sent);
  const tokens = await hub.login('ada');
  // An access token the hub does not know (revoked, say), though not expired by our clock.
  await logIn(f.home, tap.url, { access: 'not-a-token-the-hub-knows', refresh: tokens.refresh });
  const summary = await engine(f).drain({ deadline: soon() });
  t.like(summary, { sent: 5, loggedOut: false, error: null, left: 0 });
  t.deepEqual((await onHub(PROJECT_A)).sort(), sent.map((e) => e.event_id).sort());
  const stored = readCredentials(f.home)!;
  t.not(stored.access_token, 'not-a-token-the-hub-knows');
  t.not(stored.refresh_token, tokens.refresh, 'the refresh rotated the pair');
});

test('401, then 401 on the refresh: logged out, nothing sent, nothing lost', async (t) => {
  const { tap, onHub } = await liveHub(t);
  const f = syncServices(t);
  await seed(f, events(5));
  await logIn(f.home, tap.url, { access: 'revoked-access', refresh: 'revoked-refresh' });
  const summary = await engine(f).drain({ deadline: soon() });
  t.like(summary, { sent: 0, dead: 0, left: 5, loggedOut: true });
  t.regex(summary.error ?? '', /logged out/);
  t.deepEqual(await onHub(PROJECT_A), []);
  const all = [...(await rows(f)).values()];
  t.true(all.every((r) => r.state === 'pending' && r.attempts === 0), 'released, not counted as attempts');
  t.is(readCredentials(f.home)!.refresh_token, '', 'the refused login is forgotten');
  t.true(f.log.some((l) => /no longer accepts this login/.test(l)), f.log.join('\n'));
  // Claimable again at once: nothing holds a lease on them.
  t.is((await f.services.syncQueue().claim({ limit: 10, leaseMs: 1000 })).length, 5);
});

test('retryNow sends events waiting for their next attempt at once; without it a drain leaves them waiting', async (t) => {
  const { hub, onHub } = await liveHub(t);
  const f = syncServices(t);
  const waiting = events(3);
  await seed(f, waiting);
  for (const e of waiting) await f.services.syncQueue().markRetry(e.event_id, 'the hub was down', Date.now() + 60_000);
  await logIn(f.home, hub.url, await hub.login('ada'));
  const idle = await engine(f).drain({ deadline: soon(), stopWhenIdle: true });
  t.like(idle, { sent: 0, left: 3 });
  const now = await engine(f).drain({ deadline: soon(), retryNow: true });
  t.like(now, { sent: 3, left: 0 });
  t.deepEqual((await onHub(PROJECT_A)).sort(), waiting.map((e) => e.event_id).sort());
});

import test, { type ExecutionContext } from 'ava';
import { spawnCli } from '../helpers/cli.js';
import { envelope } from '../helpers/envelope.js';
import {
  countIds, drainLog, drainTotals, drainersExited, holdingProxy, liveHub, login, project, projectPlugins, seed, states, waitFor,
} from './sync-helpers.js';

const EVENTS = 2400;

/**
 * A drainer SIGKILLed mid-batch: 2400 events queued, the first batch of 1000 sent and settled,
 * the second ingested by the hub but its answer held back by a proxy, so the drainer dies with
 * those events still claimed (for the project's `leaseMs`) and not marked sent.
 */
async function killedMidBatch(t: ExecutionContext, leaseMs: number, next?: (p: Awaited<ReturnType<typeof project>>) => Promise<unknown>) {
  const hub = await liveHub(t);
  const proxy = await holdingProxy(t, hub.url, 2);
  const p = await project(t);
  // A short lease, so the killed drainer's claim runs out within the test (60 s by default).
  projectPlugins(p, [{ use: 'batch-sync', options: { leaseMs } }]);
  await login(p, proxy.url);
  const { uuid, slug } = p.identity();
  await seed(p.home, Array.from({ length: EVENTS }, (_, i) =>
    envelope({ project_uuid: uuid, project_slug: slug, team_slug: 'acme', aggregate_id: `WP${String(i % 90 + 1).padStart(2, '0')}` })));

  // The drainer as commands start it, but run in the project, so it takes the project's lease.
  const drainer = spawnCli(['sync', 'drain'], { cwd: p.repo, home: p.home });
  const gone = new Promise((resolve) => drainer.once('exit', (code, signal) => resolve(signal ?? code)));
  t.teardown(() => { drainer.kill('SIGKILL'); });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([proxy.held, new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('no second batch within 20 s')), 20_000); })]);
  clearTimeout(timer);
  const killedAt = Date.now();
  drainer.kill('SIGKILL');
  t.is(await gone, 'SIGKILL');
  proxy.passThrough();
  // What runs next, at once (before the killed drainer's claim runs out).
  await next?.(p);

  if (next) return { hub, p, uuid, held: null, hubMid: null, killedAt };
  const mid = states(await p.events());
  const hubMid = (await hub.events(uuid)).length;
  const held = hubMid - (mid.sent ?? 0);
  t.log(`killed with ${mid.sent} events sent, ${hubMid} on the hub`);
  t.true((mid.sent ?? 0) > 0, 'the first batch was settled');
  t.is((mid.sent ?? 0) + (mid.pending ?? 0), EVENTS);
  t.true(held > 0, 'the hub took a batch the drainer never heard back about');
  return { hub, p, uuid, held, hubMid, killedAt };
}

/** The next command's drainer has sent the rest: every event on the hub exactly once, all sent here. */
async function everyEventOnce(t: ExecutionContext, k: Awaited<ReturnType<typeof killedMidBatch>>) {
  t.true(await drainersExited(k.p.home, 30_000));
  const onHub = await k.hub.events(k.uuid);
  t.like(countIds(onHub), { total: EVENTS + 1, distinct: EVENTS + 1, repeated: [] });
  const lines = drainLog(k.p.home);
  t.deepEqual(states(await k.p.events()), { sent: EVENTS + 1 }, lines.join('\n'));
  t.notRegex(lines.join('\n'), /stopped before the command finished/);
  const totals = drainTotals(lines);
  if (k.held !== null && k.hubMid !== null) {
    t.is(totals.duplicate, k.held, 'the held batch was sent again, and the hub knew it');
    t.is(totals.sent, EVENTS + 1 - k.hubMid);
  } else {
    t.true(totals.duplicate > 0, 'the held batch was sent again, and the hub knew it');
  }
  t.is(totals.dead, 0);
}

test('SIGKILL of the drainer mid-batch: once its claim runs out, the next command\'s drainer sends the rest, and the hub has every event exactly once', async (t) => {
  const leaseMs = 2000;
  const k = await killedMidBatch(t, leaseMs);
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, k.killedAt + leaseMs + 200 - Date.now())));
  const r = await k.p.run('feature', 'create', 'Shop');
  t.is(r.code, 0, r.stderr);
  await waitFor(`${EVENTS + 1} events on the hub`, async () => (await k.hub.events(k.uuid)).length >= EVENTS + 1, { timeoutMs: 30_000, intervalMs: 100 });
  await everyEventOnce(t, k);
});

// The next drainer finds the killed one's events still leased: it must wait the lease out (its
// waits are unref'd timers, so only cli/sync/hold-open.ts keeps `sync drain` alive meanwhile).
test('SIGKILL of the drainer mid-batch: a drainer started while the dead one\'s claim still holds waits it out and sends the rest', async (t) => {
  let next: { code: number; stderr: string } | undefined;
  const k = await killedMidBatch(t, 5000, async (p) => { next = await p.run('feature', 'create', 'Shop'); });
  t.is(next?.code, 0, next?.stderr);
  await everyEventOnce(t, k);
});

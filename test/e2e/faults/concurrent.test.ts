import test from 'ava';
import { checkDamage } from '../chaos/invariants.js';
import { holdingProxy } from '../sync-helpers.js';
import { assertConsistent, audit, checkout, finalSync, gitClone, machine, seedEvents, start, startHub, type Checkout } from './helpers.js';

const WORKERS = 8;

/** One CLI after another, each starting when the last exits: a feature of its own, two WPs, two moves, then sync now. */
async function worker(c: Checkout, name: string): Promise<{ codes: number[]; syncNow: number; out: string }> {
  const codes: number[] = [];
  for (const args of [
    ['feature', 'create', name],
    ['wp', 'add', name, `${name} API`],
    ['wp', 'add', name, `${name} UI`],
    ['implement', 'WP01', '--feature', name],
    ['review', 'WP01', '--feature', name],
  ]) {
    const r = await c.run(...args);
    if (r.code !== 0) throw new Error(`${name}: ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    codes.push(r.code);
  }
  // Its events may be gone already (a drainer took them), or be held by another sender's lease.
  const now = await c.run('sync', 'now', '--json');
  return { codes, syncNow: now.code, out: `${now.stdout.trim()} ${now.stderr.trim()}` };
}

test('8 concurrent CLIs emitting and syncing on two machines: every event on the hub once', async (t) => {
  const hub = await startHub(t);
  const a = machine(t, 'east');
  const b = machine(t, 'west');
  for (const m of [a, b]) await m.login(hub.url);
  const onA = await checkout(a, 'git@github.com:acme/busy.git');
  const onB = gitClone(b, onA, 'git@github.com:acme/busy.git');
  const started = Date.now();
  const results = await Promise.all(Array.from({ length: WORKERS }, (_, i) => worker(i % 2 === 0 ? onA : onB, `Worker ${i + 1}`)));
  t.log(`${WORKERS} workers, ${WORKERS * 6} CLI runs in ${Date.now() - started} ms; sync now exit codes ${results.map((r) => r.syncNow).join(' ')}`);
  for (const r of results) t.is(r.syncNow, 0, `sync now, among the other CLIs and drainers: ${r.out}`);
  for (const m of [a, b]) await finalSync(m);

  const f = await audit(hub, [a, b]);
  assertConsistent(t, '8 concurrent CLIs', f, WORKERS * 5);
  for (const [m, c] of [[a, onA], [b, onB]] as const) {
    const damage = await checkDamage(c.repo, m.home);
    t.deepEqual(damage.problems, [], `${m.name}: every change on disk has exactly one event`);
  }
  const projects = await hub.reader.projects();
  t.is(projects.length, 1);
  t.like(projects[0], { event_count: WORKERS * 5 });
  t.deepEqual([...projects[0].node_ids].sort(), [a.nodeId, b.nodeId].sort());
});

// Fixed in 0e21e89 (sync now exited 1, "stopped before the command finished", while a drainer held the events).
test('sync now while the background drainer holds the pending events: it waits for them and exits 0 with nothing left', async (t) => {
  const hub = await startHub(t);
  // The drainer's first batch reaches the hub, and its answer never comes back.
  const proxy = await holdingProxy(t, hub.url, 1);
  const m = machine(t, 'overlap', { leaseMs: 8000 });
  await m.login(proxy.url);
  const c = await checkout(m, 'git@github.com:acme/overlap.git');
  await seedEvents(c, 1000);
  const drainer = start(['sync', 'drain'], { cwd: m.home, home: m.home });
  t.teardown(() => { drainer.kill('SIGKILL'); });
  await proxy.held;
  proxy.passThrough();
  // The drainer's lease (8 s: longer than sync now takes to start on a busy machine) runs out
  // while sync now waits; it then sends them itself.
  const now = await m.run(['sync', 'now', '--json'], m.dir);
  t.notRegex(now.stderr, /stopped before the command finished/);
  t.is(now.code, 0, now.stderr);
  t.like(JSON.parse(now.stdout), { sent: 0, duplicate: 1000, left: 0, error: null });
});

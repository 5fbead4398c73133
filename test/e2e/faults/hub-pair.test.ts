import test from 'ava';
import {
  PG_URL, assertConsistent, audit, balancer, checkout, drainersDone, finalSync, machine, pgDatabase, projectLease, seedEvents, start, startHub,
  waitFor, type Hub,
} from './helpers.js';

const SEEDED = 4000;
const LEASE_MS = 3000;

/*
 * How the CLI reaches the surviving process: a team that runs several hub processes on one
 * PostgreSQL puts them behind one address (a load balancer), and `auth login` stores that
 * address. The test does the same with a TCP balancer on 127.0.0.1 that hands each new
 * connection to the next process, skipping one that refuses. Logins, tokens and events live in
 * PostgreSQL, so the survivor takes the tokens the dead one issued: no new login. When the
 * process serving the sync is SIGKILLed, its connection is cut, the batch in flight fails (the
 * hub may or may not have committed it), and the next attempt goes through the balancer to
 * the other process, which answers `duplicate` for what the dead one stored.
 */
if (!PG_URL) {
  test.skip('two hub processes on one PostgreSQL, one SIGKILLed mid-sync (skipped: set SPEC_KITTY_TEST_PG; .ci/run does)', () => undefined);
} else {
  test('two hub processes on one PostgreSQL behind one address, the one serving the sync SIGKILLed mid-sync: every event on the hub once', async (t) => {
    const db = await pgDatabase(t);
    const first = await startHub(t, { db });
    const second = await startHub(t, { db, addUsers: false });
    const hubs: Hub[] = [first, second];
    const lb = await balancer(t, () => hubs.map((h) => h.port));
    const m = machine(t, 'behind-lb', { leaseMs: LEASE_MS });
    await m.login(lb.url);
    const c = await checkout(m, 'git@github.com:acme/twin-hubs.git');
    projectLease(c, LEASE_MS);
    await c.ok('feature', 'create', 'Twins');
    await c.ok('wp', 'add', '1', 'Left');
    await c.ok('implement', 'WP01');
    await drainersDone(m);
    await seedEvents(c, SEEDED);

    const before = hubs.map((h) => h.batches());
    const sync = start(['sync', 'now', '--json'], { cwd: c.repo, home: m.home });
    t.teardown(() => { sync.kill('SIGKILL'); });
    let stderr = '';
    let stdout = '';
    sync.stderr!.on('data', (d) => { stderr += d; });
    sync.stdout!.on('data', (d) => { stdout += d; });
    const syncDone = new Promise<number | null>((resolve) => sync.on('close', (code) => resolve(code)));
    // The process that is serving this sync dies once it has answered two of its batches.
    const victimAt = await waitFor('two batches of the sync answered', () => {
      const i = hubs.findIndex((h, k) => h.batches() - before[k] >= 2);
      return i >= 0 ? i + 1 : 0;
    }, { timeoutMs: 60_000, intervalMs: 5 });
    const victim = hubs[victimAt - 1];
    const survivor = hubs[2 - victimAt];
    await victim.kill();
    const answeredByVictim = victim.batches() - before[victimAt - 1];
    const code = await syncDone;
    let report: { sent: number; duplicate: number; left: number } | null = null;
    try { report = JSON.parse(stdout); } catch { /* said on stderr */ }
    t.log(`hub process ${victimAt} SIGKILLed after answering ${answeredByVictim} batches of the sync; the sync now exited ${code}: ` +
      `${report ? `sent ${report.sent}, duplicate ${report.duplicate}, left ${report.left}` : stderr.trim()}`);

    // Later syncs reach the survivor through the same address, with the same login.
    t.is(code, 0, `the sync now went on through the survivor: ${stderr}`);
    t.like(report, { left: 0, dead: 0, error: null });
    const runs = await finalSync(m, { leaseMs: LEASE_MS, afterKills: code !== 0, tries: 5, cwd: c.repo });
    t.log(`final sync now: ${runs.map((r) => `exit ${r.code} ${r.report ? `sent ${r.report.sent}, duplicate ${r.report.duplicate}, left ${r.report.left}` : r.stderr.trim()}`).join('; ')}`);
    t.false(victim.alive());
    t.true(survivor.batches() - before[2 - victimAt] >= 1, 'the surviving process took batches');
    t.log(`connections through the balancer by port: ${JSON.stringify(lb.connections())}`);

    const f = await audit(survivor, [m]);
    assertConsistent(t, 'two hub processes on one PostgreSQL, one killed mid-sync', f, SEEDED + 3);
    const [project] = await survivor.reader.projects();
    t.like(project, { project_uuid: c.identity().uuid, event_count: SEEDED + 3 });
  });
}

import test, { type ExecutionContext } from 'ava';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnCli, tempDir } from '../helpers/cli.js';
import { summary } from './workflow-helpers.js';
import { drainLog, drainersExited, liveHub, login, offline, project, projectPlugins, states, syncConfig, waitFor } from './sync-helpers.js';

/**
 * A project plugin that, when SLOW_MARKER is set, writes that file on reaching SLOW_PHASE and
 * then waits there: in enrich 4 s, in persist (after queue-persist) 8 s, in flush until its deadline.
 */
const SLOW_PLUGIN = `import { writeFileSync } from 'node:fs';
const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export default {
  name: 'slow',
  apply(hooks) {
    const marker = process.env.SLOW_MARKER;
    const phase = process.env.SLOW_PHASE;
    if (!marker) return;
    if (phase === 'enrich') hooks.enrich.tapPromise('slow', async (envelope) => { writeFileSync(marker, phase); await wait(4000); return envelope; });
    if (phase === 'persist') hooks.persist.tapPromise('slow', async () => { writeFileSync(marker, phase); await wait(8000); });
    if (phase === 'flush') hooks.flush.tapPromise('slow', async (deadline) => { writeFileSync(marker, phase); await wait(Math.max(0, deadline - Date.now())); });
  },
};
`;

async function slowProject(t: ExecutionContext) {
  const p = await project(t);
  writeFileSync(join(p.repo, '.kittify', 'slow.mjs'), SLOW_PLUGIN);
  projectPlugins(p, [{ use: './.kittify/slow.mjs' }]);
  await offline(p, 'feature', 'create', 'Shop');
  await offline(p, 'wp', 'add', '1', 'Cart');
  return p;
}

/** Runs `implement WP01`, sends `signal` once it waits in `phase`; its exit code and how long it took after the signal. */
async function interrupt(t: ExecutionContext, p: Awaited<ReturnType<typeof project>>, phase: string, signal: NodeJS.Signals) {
  const marker = join(tempDir('sk-signal-'), 'reached');
  const child = spawnCli(['implement', 'WP01'], { cwd: p.repo, home: p.home, env: { SLOW_MARKER: marker, SLOW_PHASE: phase } });
  t.teardown(() => { child.kill('SIGKILL'); });
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += d; });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, sig) => resolve({ code, signal: sig })));
  await waitFor(`implement to reach ${phase}`, () => existsSync(marker), { timeoutMs: 15_000, intervalMs: 10 });
  const sent = Date.now();
  child.kill(signal);
  const end = await exited;
  return { ...end, afterSignalMs: Date.now() - sent, stderr };
}

const wpFile = (p: Awaited<ReturnType<typeof project>>) => {
  const tasks = p.tasks('001-shop');
  return readFileSync(join(tasks, readdirSync(tasks).find((f) => f.startsWith('WP01'))!), 'utf8');
};

test('SIGINT while an emitting command waits in enrich: exit 130, the move not made and no event; what was pending is handed to the drainer', async (t) => {
  const hub = await liveHub(t);
  const p = await slowProject(t);
  await login(p, hub.url);
  const r = await interrupt(t, p, 'enrich', 'SIGINT');
  t.is(r.code, 130, r.stderr);
  t.true(r.afterSignalMs < 5_000, `exited ${r.afterSignalMs} ms after the signal`);
  t.regex(wpFile(p), /\nlane: planned\n/);
  t.deepEqual(summary(await p.events()), ['FeatureCreated 001-shop', 'WPCreated WP01']);
  // The way out is the command's usual one: the two events queued before are sent by the drainer.
  const { uuid } = p.identity();
  await waitFor('2 events on the hub', async () => (await hub.events(uuid)).length >= 2);
  t.true(await drainersExited(p.home));
  t.regex(drainLog(p.home).join('\n'), /sent 2, duplicate 0, dead 0, left 0/);

  const again = await p.run('implement', 'WP01');
  t.is(again.code, 0, again.stderr);
  t.regex(wpFile(p), /\nlane: doing\n/);
  t.deepEqual(summary(await p.events()), ['FeatureCreated 001-shop', 'WPCreated WP01', 'WPStatusChanged WP01 planned→doing']);
});

test('SIGTERM while the event is prepared (persist): exit 143; the next command settles it away, as the move was not made', async (t) => {
  const p = await slowProject(t);
  const r = await interrupt(t, p, 'persist', 'SIGTERM');
  t.is(r.code, 143, r.stderr);
  t.true(r.afterSignalMs < 5_000, `exited ${r.afterSignalMs} ms after the signal`);
  const Database = (await import('better-sqlite3')).default;
  const db = new Database(join(p.home, 'queue.db'), { readonly: true });
  const rows = db.prepare('SELECT event_type, state FROM events ORDER BY seq').all() as Array<{ event_type: string; state: string }>;
  db.close();
  t.deepEqual(rows.map((x) => `${x.event_type} ${x.state}`), ['FeatureCreated pending', 'WPCreated pending', 'WPStatusChanged prepared']);
  t.regex(wpFile(p), /\nlane: planned\n/);

  // The next command settles it: the file holds no move, so the event is discarded.
  t.deepEqual(summary(await p.events()), ['FeatureCreated 001-shop', 'WPCreated WP01']);
  t.deepEqual(states(await p.events()), { pending: 2 });
  t.is((await p.run('implement', 'WP01')).code, 0);
  t.deepEqual(summary(await p.events()), ['FeatureCreated 001-shop', 'WPCreated WP01', 'WPStatusChanged WP01 planned→doing']);
});

test('SIGTERM during the exit flush (sync.background: false): exit 143 within the exit budget, the move made and its event pending', async (t) => {
  const p = await slowProject(t);
  syncConfig(p, 'background: false\nexit_flush_ms: 20000');
  const r = await interrupt(t, p, 'flush', 'SIGTERM');
  t.is(r.code, 143, r.stderr);
  t.true(r.afterSignalMs < 6_000, `exited ${r.afterSignalMs} ms after the signal, not at the 20 s flush deadline`);
  t.regex(wpFile(p), /\nlane: doing\n/);
  const rows = await p.events();
  t.deepEqual(summary(rows), ['FeatureCreated 001-shop', 'WPCreated WP01', 'WPStatusChanged WP01 planned→doing']);
  t.deepEqual(states(rows), { pending: 3 });
});

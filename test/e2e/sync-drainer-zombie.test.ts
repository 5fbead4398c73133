import test from 'ava';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { runningDrainer } from '../../cli/sync/drainer-lock.js';
import { CLI, cliEnv } from '../helpers/cli.js';
import { blackHole } from '../services/hub-client/fault-server.js';
import { countIds, liveHub, login, offline, project, projectPlugins, storeLogin, waitFor } from './sync-helpers.js';

const stateOf = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return 'gone';
  }
};

// Drainers are detached, so when one dies its parent is whatever adopts orphans; where that does
// not reap them (a container whose pid 1 is not an init, say), the dead drainer stays a zombie,
// which answers kill(pid, 0) like a live process: its lock must still count as free.
test('a drainer that died holding the lock and was never reaped (a zombie) does not stop the next command from starting one', async (t) => {
  if (process.platform !== 'linux') {
    t.pass('zombies are told from /proc');
    return;
  }
  const hole = await blackHole(t);
  const p = await project(t);
  projectPlugins(p, [{ use: 'batch-sync', options: { leaseMs: 1000 } }]);
  await storeLogin(p.home, hole);
  await offline(p, 'feature', 'create', 'Shop');
  // A drainer whose parent (sleep, after exec) never waits for its children.
  const spawnedAt = Date.now();
  const parent = spawn('sh', ['-c', `"${process.execPath}" "${CLI}" sync drain >/dev/null 2>&1 & echo $!; exec sleep 600`],
    { cwd: p.repo, env: cliEnv(p.home), stdio: ['ignore', 'pipe', 'ignore'] });
  t.teardown(() => { parent.kill('SIGKILL'); });
  const pid = Number(await new Promise<string>((resolve) => parent.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()))));
  await waitFor('the drainer to hold the lock', () => runningDrainer(p.home) === pid);
  process.kill(pid, 'SIGKILL');
  await waitFor('the drainer to be a zombie', () => stateOf(pid) === 'Z');
  // Its claim runs out; the hub is live now.
  await new Promise((resolve) => setTimeout(resolve, 1200));
  const hub = await liveHub(t);
  await login(p, hub.url);

  t.is((await p.run('wp', 'add', '1', 'Cart')).code, 0);
  t.log(`the zombie is ${stateOf(pid)}, ${Date.now() - spawnedAt} ms after its parent started`);
  t.is(runningDrainer(p.home) === pid ? 'the zombie' : 'not the zombie', 'not the zombie', 'a dead drainer holds no lock');
  const { uuid } = p.identity();
  const onHub = await waitFor('2 events on the hub', async () => {
    const events = await hub.events(uuid);
    return events.length >= 2 && events;
  }, { timeoutMs: 6_000 });
  t.like(countIds(onHub), { total: 2, distinct: 2 });
});

import test, { type ExecutionContext } from 'ava';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, runJson } from '../helpers/cli.js';
import { drainLog, drainerPids, liveHub, login, project, states, syncConfig } from './sync-helpers.js';

/** Logged in to a live hub, three commands run from `cwd`: every one exits 0, and none sends or starts a drainer. */
async function nothingSent(t: ExecutionContext, setUp: (p: Awaited<ReturnType<typeof project>>) => void, env: Record<string, string>, offBecause: RegExp) {
  const hub = await liveHub(t);
  const p = await project(t);
  await login(p, hub.url);
  setUp(p);
  const deep = join(p.repo, 'src', 'deep');
  mkdirSync(deep, { recursive: true });
  const run = (...args: string[]) => runCli(args, { cwd: deep, home: p.home, env });
  for (const args of [['feature', 'create', 'Shop'], ['wp', 'add', '1', 'Cart'], ['implement', 'WP01']]) {
    const r = await run(...args);
    t.is(r.code, 0, r.stderr);
    t.deepEqual(drainerPids(p.home), [], `no drainer after ${args.join(' ')}`);
  }
  t.deepEqual(drainLog(p.home), []);
  t.deepEqual(await hub.projects(), [], 'nothing reached the hub');
  const rows = await p.events();
  t.deepEqual(states(rows), { pending: 3 });
  for (const row of rows) t.is(row.envelope.team_slug, 'acme');

  const plugins = await runJson<{ plugins: Array<{ use: string; status: string; enabled: boolean; file: string }> }>(['plugins', 'list', '--json'], { cwd: deep, home: p.home, env });
  for (const use of ['batch-sync', 'websocket-transport']) {
    const entry = plugins.plugins.find((e) => e.use === use);
    t.like(entry, { status: 'disabled', enabled: false }, use);
    t.regex(entry!.file, offBecause);
  }
  t.true(plugins.plugins.filter((e) => e.status === 'active').length >= 4, 'the rest of the pipeline runs');
  const status = await runJson(['sync', 'status', '--json'], { cwd: deep, home: p.home, env });
  t.like(status.sync, { enabled: false, drainer_pid: null });
  t.regex(status.sync.off_because, offBecause);
  t.is(status.last_sync_at, null);
}

test('sync.auto_start: false in .kittify/config.yaml stops sync for commands run from a subfolder: nothing sent, no drainer, events stay pending', async (t) => {
  await nothingSent(t, (p) => syncConfig(p, 'auto_start: false'), {}, /sync\.auto_start: false in .*\.kittify\/config\.yaml/);
});

test('SPEC_KITTY_SYNC=off stops sync too: nothing sent, no drainer, events stay pending', async (t) => {
  await nothingSent(t, () => {}, { SPEC_KITTY_SYNC: 'off' }, /SPEC_KITTY_SYNC=off/);
});

import test from 'ava';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { envelope } from '../helpers/envelope.js';
import { runCli, runJson, tempDir } from '../helpers/cli.js';
import { makeGitRepo } from '../helpers/git.js';
import { testQueue } from '../helpers/services.js';

interface Held { total: number; held: Array<{ origin: string | null; count: number; adopt_with: string; discard_with: string }> }
interface Row { state: string; origin: string | null; envelope: { event_id: string; project_uuid: string | null; project_slug: string | null } }

/** Events held as a command run in `cwd` would hold them: no project identity, origin recorded. */
async function hold(home: string, cwd: string, n: number): Promise<string[]> {
  const queue = testQueue(home, undefined, cwd);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const e = envelope({ project_uuid: null, project_slug: null, aggregate_id: `WP0${i + 1}` });
    await queue.enqueue(e, 'held');
    ids.push(e.event_id);
  }
  queue.close();
  return ids;
}

test('events held in a folder are adopted by `init` there: stamped with its identity and pending', async (t) => {
  const repo = makeGitRepo({ origin: 'git@github.com:acme/late.git' });
  const home = tempDir('sk-home-');
  const elsewhere = tempDir('sk-other-');
  const ids = await hold(home, join(repo, 'docs'), 2);
  await hold(home, elsewhere, 1);
  const init = await runJson<{ project_uuid: string; adopted_held_events: number }>(['init', '--json'], { cwd: repo, home });
  t.is(init.adopted_held_events, 2);
  const { events } = await runJson<{ events: Row[] }>(['sync', 'queue', '--json', '--limit', '0'], { cwd: repo, home });
  const adopted = events.filter((e) => ids.includes(e.envelope.event_id));
  t.deepEqual(adopted.map((e) => [e.state, e.envelope.project_uuid, e.envelope.project_slug, e.origin]),
    [['pending', init.project_uuid, 'late', null], ['pending', init.project_uuid, 'late', null]]);
  t.is(events.filter((e) => e.state === 'held').length, 1, 'the other folder\'s event stays held');
});

test('sync held lists held events by folder with the commands that release or discard them', async (t) => {
  const home = tempDir('sk-home-');
  const a = tempDir('sk-a-');
  await hold(home, a, 2);
  const out = await runJson<Held>(['sync', 'held', '--json'], { cwd: a, home });
  t.is(out.total, 2);
  t.deepEqual(out.held.map((g) => [g.origin, g.count, g.adopt_with, g.discard_with]),
    [[a, 2, `spec-kitty init ${a}`, `spec-kitty sync held --discard ${a}`]]);
  const human = await runCli(['sync', 'held'], { cwd: a, home });
  t.is(human.code, 0, human.stderr);
  t.regex(human.stdout, new RegExp(`release: spec-kitty init ${a}`));
  const status = await runCli(['sync', 'status'], { cwd: a, home });
  t.regex(status.stdout, /see `spec-kitty sync held`/);
});

test('sync held --discard deletes the held events of one folder only; --adopt none gives unattributed ones this project\'s identity', async (t) => {
  const home = tempDir('sk-home-');
  const a = tempDir('sk-a-');
  const b = tempDir('sk-b-');
  await hold(home, a, 2);
  await hold(home, b, 1);
  const discard = await runJson<{ discarded: number }>(['sync', 'held', '--discard', a, '--json'], { cwd: a, home });
  t.is(discard.discarded, 2);
  t.deepEqual((await runJson<Held>(['sync', 'held', '--json'], { cwd: b, home })).held.map((g) => g.origin), [b]);

  const project = makeGitRepo({ origin: 'git@github.com:acme/home.git' });
  t.is((await runCli(['init'], { cwd: project, home })).code, 0);
  const adopt = await runJson<{ adopted: number; project_slug: string }>(['sync', 'held', '--adopt', b, '--json'], { cwd: project, home });
  t.like(adopt, { adopted: 1, project_slug: 'home' });
  t.is((await runJson<Held>(['sync', 'held', '--json'], { cwd: project, home })).total, 0);
});

test('sync held --adopt outside any project says where to run it; --adopt and --discard together are a usage error', async (t) => {
  const home = tempDir('sk-home-');
  const dir = tempDir('sk-none-');
  mkdirSync(join(dir, 'x'));
  const r = await runCli(['sync', 'held', '--adopt', 'none'], { cwd: dir, home });
  t.is(r.code, 1);
  t.regex(r.stderr, /run it inside the project/);
  t.is((await runCli(['sync', 'held', '--adopt', 'none', '--discard', 'all'], { cwd: dir, home })).code, 2);
});

test('init of a project adopts nothing held in a nested project inside it', async (t) => {
  const outer = makeGitRepo({ origin: 'git@github.com:acme/outer.git' });
  const home = tempDir('sk-home-');
  const inner = join(outer, 'vendor', 'inner');
  mkdirSync(join(inner, '.kittify'), { recursive: true });
  await hold(home, inner, 1);
  const init = await runJson<{ adopted_held_events: number }>(['init', '--json'], { cwd: outer, home });
  t.is(init.adopted_held_events, 0);
  t.is((await runJson<Held>(['sync', 'held', '--json'], { cwd: outer, home })).total, 1);
});

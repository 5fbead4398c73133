import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT, tempDir } from '../../helpers/cli.js';
import { openTestQueue } from './queue-fixtures.js';

const BURST = fileURLToPath(new URL('../../fixtures/queue/emit-burst.ts', import.meta.url));

function startBurst(home: string, project: string, worker: number, count: number, inFlight = 1) {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=spec-kitty-source', BURST, project, String(worker), String(count), String(inFlight)], {
    cwd: REPO_ROOT, env: { ...process.env, SPEC_KITTY_HOME: home, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })));
  /** Ids whose line is complete: a line cut by a kill is not a report. */
  const ids = () => out.split('\n').slice(0, -1).filter(Boolean);
  return { child, done, ids, stderr: () => err, stdout: () => out };
}

function setup() {
  const dir = tempDir('sk-mp-');
  const project = join(dir, 'project');
  mkdirSync(join(project, '.kittify'), { recursive: true });
  return { home: join(dir, 'home'), project };
}

test('8 processes × 200 emits at once: nothing lost, nothing duplicated', async (t) => {
  const { home, project } = setup();
  const runs = Array.from({ length: 8 }, (_, w) => startBurst(home, project, w, 200, w % 2 === 0 ? 1 : 16));
  const results = await Promise.all(runs.map((r) => r.done));
  results.forEach((r, i) => t.is(r.code, 0, runs[i].stderr()));
  const reported = runs.flatMap((r) => r.ids());
  t.is(reported.length, 1600);

  const { queue } = openTestQueue(home);
  const { total, events } = await queue.list();
  queue.close();
  t.is(total, 1600);
  t.is(new Set(events.map((e) => e.event_id)).size, 1600, 'no event stored twice');
  t.deepEqual(events.map((e) => e.event_id).sort(), [...reported].sort());
  const perWorker = new Map<unknown, number>();
  for (const e of events) perWorker.set(e.envelope.payload.worker, (perWorker.get(e.envelope.payload.worker) ?? 0) + 1);
  t.deepEqual([...perWorker.values()], Array(8).fill(200));
});

test('a process killed with SIGKILL mid-burst leaves a readable queue with every event it reported', async (t) => {
  const { home, project } = setup();
  const run = startBurst(home, project, 0, 1_000_000, 8);
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (run.ids().length >= 500) {
        run.child.kill('SIGKILL');
        resolve();
      }
    };
    run.child.stdout.on('data', check);
    run.done.then(() => reject(new Error(`the burst ended before it was killed: ${run.stderr()}`)));
  });
  const { signal } = await run.done;
  t.is(signal, 'SIGKILL');
  const reported = run.ids();

  const { queue, log } = openTestQueue(home);
  const stored = new Set((await queue.list()).events.map((e) => e.event_id));
  queue.close();
  t.deepEqual(log, [], 'the file was not damaged (nothing moved aside)');
  t.true(reported.length >= 500);
  t.deepEqual(reported.filter((id) => !stored.has(id)), [], 'every event reported as emitted is in the queue');
  t.true(stored.size < 1_000_000);
});

import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/cli.js';

// `npm run demo` (README's first command) must keep working: with SPEC_KITTY_DEMO_EXIT=1 it runs
// the whole loop (hub, demo user, two projects through their lanes, synced) and stops at once.
test('the demo runs the whole loop, prints the dashboard and its sign-in, and stops at once with SPEC_KITTY_DEMO_EXIT=1', async (t) => {
  t.timeout(120_000);
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(process.execPath, [join(REPO_ROOT, 'examples/demo.mjs')], {
      env: { ...process.env, SPEC_KITTY_DEMO_EXIT: '1', SPEC_KITTY_DEMO_PORT: '0' }, maxBuffer: 16 << 20,
    }, (error, out, err) => resolve({ code: error ? (error as { code?: number }).code ?? 1 : 0, stdout: out, stderr: err }));
    child.stdin?.end();
  });
  t.is(code, 0, `${stdout}\n${stderr}`);
  t.regex(stdout, /Dashboard: http:\/\/127\.0\.0\.1:\d+\//);
  t.regex(stdout, /Sign in: {3}demo \/ \S+/);
  t.regex(stdout, /The hub holds 2 projects \(api, shop\)/);
  t.regex(stdout, /\$ spec-kitty implement WP01/);
});

/** Runs the demo with a `--require` hook in every node process it starts (the CLI's too). */
function runDemo(hook: string): Promise<{ code: number | null; stdout: string; stderr: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'sk-demo-hook-'));
  const file = join(dir, 'hook.cjs');
  writeFileSync(file, hook);
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [join(REPO_ROOT, 'examples/demo.mjs')], {
      env: { ...process.env, SPEC_KITTY_DEMO_EXIT: '1', SPEC_KITTY_DEMO_PORT: '0', NODE_OPTIONS: `--require=${file}`, SK_HOOK_DIR: dir }, maxBuffer: 16 << 20,
    }, (error, out, err) => resolve({ code: error ? (error as { code?: number }).code ?? 1 : 0, stdout: out, stderr: err, dir }));
    child.stdin?.end();
  });
}

const workOf = (stdout: string) => /# A team hub on SQLite in (\S+)\/hub/.exec(stdout)?.[1];

test('a failing step stops the demo there: nothing after it runs, it exits 1, and the throwaway folder is gone', async (t) => {
  t.timeout(120_000);
  // `feature create` fails, as a broken step would.
  const { code, stdout, stderr } = await runDemo(`if (process.argv.includes('feature') && process.argv.includes('create')) { console.error('injected failure'); process.exit(3); }\n`);
  t.is(code, 1, `${stdout}\n${stderr}`);
  t.regex(stderr, /spec-kitty feature create "Checkout flow" failed \(exit 3\)/);
  t.false(stdout.includes('$ spec-kitty wp add'), 'no later step ran');
  t.false(stdout.includes('Dashboard:'));
  const work = workOf(stdout);
  t.truthy(work);
  t.false(existsSync(work!), 'the throwaway folder was removed');
});

test('stopping the demo stops the demo users\' detached drainers before their folder is removed', async (t) => {
  t.timeout(120_000);
  // Every `sync drain` the CLI detaches records its pid outside the throwaway folder, and takes
  // 3 s to let go of its lock: a drainer still at work when the demo stops.
  const { code, stdout, stderr, dir } = await runDemo(`
if (process.argv.includes('sync') && process.argv.includes('drain')) {
  const fs = require('node:fs');
  fs.appendFileSync(require('node:path').join(process.env.SK_HOOK_DIR, 'drainers'), process.pid + '\\n');
  for (const name of ['rmSync', 'rmdirSync', 'renameSync', 'unlinkSync']) {
    const real = fs[name];
    fs[name] = function (path, ...rest) {
      if (String(path).includes('drainer.lock')) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 3000);
      return real.call(this, path, ...rest);
    };
  }
}
`);
  t.is(code, 0, `${stdout}\n${stderr}`);
  const work = workOf(stdout);
  t.false(existsSync(work!), 'the throwaway folder was removed');
  // Alive: running, not a zombie waiting for a parent (in a container, pid 1 may not reap).
  const alive = (pid: number) => {
    try {
      return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  };
  const pids = drainerPids(dir);
  t.deepEqual(pids.filter(alive), [], `drainers ${pids.join(', ')}: none outlives the demo`);
});

function drainerPids(dir: string): number[] {
  try {
    return readFileSync(join(dir, 'drainers'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { envelope, openTestQueue } from '../services/queue/queue-fixtures.js';
import { CLI, cliEnv, runCli, tempDir, type RunResult } from '../helpers/cli.js';
import { initRepo, type WorkflowRepo } from './workflow-helpers.js';

const outside = () => {
  const dir = tempDir('sk-err-');
  return { cwd: dir, home: join(dir, 'home') };
};

/** The one JSON document on stdout of a failed --json command. */
function jsonError(t: { fail(message: string): void }, r: RunResult): { code: string; message: string } {
  try {
    const doc = JSON.parse(r.stdout) as { error: { code: string; message: string } };
    return doc.error;
  } catch {
    t.fail(`no JSON on stdout (exit ${r.code})\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    return { code: '', message: '' };
  }
}

const noStack = (s: string) => !/\n\s+at |unexpected failure|node:internal/.test(s);

// ── --json errors ─────────────────────────────────────────────────────────────────────────

test('a --json command that fails prints {"error":{code,message}} on stdout and the message on stderr', async (t) => {
  const r = await runCli(['status', '--json'], outside());
  t.is(r.code, 1);
  const error = jsonError(t, r);
  t.is(error.code, 'failed');
  t.regex(error.message, /not inside a spec-kitty project/);
  t.regex(r.stderr, /error: not inside a spec-kitty project/);
  t.deepEqual(Object.keys(JSON.parse(r.stdout) as object), ['error']);
  t.deepEqual(Object.keys(error), ['code', 'message']);
});

test('a --json command given a malformed value exits 2 with a JSON usage error', async (t) => {
  const r = await runCli(['sync', 'queue', '--json', '--limit', 'x'], outside());
  t.is(r.code, 2);
  t.like(jsonError(t, r), { code: 'usage' });
  t.regex(jsonError(t, r).message, /--limit must be a whole number/);
  t.regex(r.stderr, /--limit must be a whole number/);

  const unknown = await runCli(['sync', 'status', '--json', '--frobnicate'], outside());
  t.is(unknown.code, 2);
  t.like(jsonError(t, unknown), { code: 'usage', message: "unknown option '--frobnicate'" });
});

test('without --json a failure leaves stdout empty; --json after -- is not the option', async (t) => {
  const r = await runCli(['status'], outside());
  t.is(r.code, 1);
  t.is(r.stdout, '');
  const dashed = await runCli(['status', '--', '--json'], outside());
  t.is(dashed.code, 2, dashed.stderr);
  t.is(dashed.stdout, '');
});

test('a refused move with --json: exit 1 and code failed; a malformed WP id: exit 2 and code usage', async (t) => {
  const p = await project();
  const refused = await p.run('move', 'WP01', '--to', 'done', '--json');
  t.is(refused.code, 1);
  t.like(jsonError(t, refused), { code: 'failed' });
  t.regex(jsonError(t, refused).message, /cannot skip from planned to done/);
  const malformed = await p.run('implement', 'banana', '--json');
  t.is(malformed.code, 2);
  t.like(jsonError(t, malformed), { code: 'usage' });
  t.regex(jsonError(t, malformed).message, /"banana" is not a work package id/);
});

// ── exit codes ────────────────────────────────────────────────────────────────────────────

let shared: Promise<WorkflowRepo> | undefined;
/** One project (feature 001-shop with WP01, planned) for the read-only checks below. */
function project(): Promise<WorkflowRepo> {
  shared ??= (async () => {
    const p = await initRepo();
    await p.ok('feature', 'create', 'Shop');
    await p.ok('wp', 'add', '1', 'A');
    return p;
  })();
  return shared;
}

const BAD_INPUT: string[][] = [
  ['frobnicate'],
  ['implement', 'WP01', '--frce'],
  ['implement'],
  ['implement', 'WP01', 'WP02'],
  ['implement', 'banana'],
  ['implement', 'WP100'],
  ['review', 'wp-1'],
  ['move', 'T001', '--to', 'doing'],
  ['move', 'WP01', '--to', 'nowhere'],
  ['move', 'WP01'],
  ['implement', 'WP01', '--feature', ''],
  ['accept', '--feature', '  '],
  ['status', '--feature', ''],
  ['feature', 'create', ''],
  ['feature', 'create', '!!!'],
  ['wp', 'add', '1', ''],
  ['wp', 'add', '', 'Title'],
  ['wp', 'add', '1', 'Title', '--deps', 'WP01,banana'],
  ['sync', 'queue', '--limit', 'x'],
  ['sync', 'queue', '--limit', '-1'],
  ['sync', 'queue', '--limit', '1.5'],
  ['sync', 'queue', '--state', 'bogus'],
  ['sync', 'queue', '--project', ''],
];

test('bad input exits 2, names what is wrong, points at --help and changes nothing', async (t) => {
  const p = await project();
  const before = readdirSync(p.tasks('001-shop')).sort();
  for (const args of BAD_INPUT) {
    const r = await p.run(...args);
    t.is(r.code, 2, `spec-kitty ${args.map((a) => JSON.stringify(a)).join(' ')}\n${r.stderr}`);
    t.regex(r.stderr, /^error: /m, args.join(' '));
    t.regex(r.stderr, /\(run with --help for usage\)/, args.join(' '));
    t.true(noStack(r.stderr), r.stderr);
  }
  t.deepEqual(readdirSync(p.tasks('001-shop')).sort(), before);
});

test('well-formed input that names nothing, or a move the rules refuse, exits 1', async (t) => {
  const p = await project();
  const cases: Array<[string[], RegExp]> = [
    [['implement', 'WP09'], /WP09 does not exist/],
    [['implement', 'WP01', '--feature', 'nosuch'], /no feature matches "nosuch"/],
    [['status', '--feature', 'nosuch'], /no feature matches "nosuch"/],
    [['wp', 'add', 'nosuch', 'Title'], /no feature matches "nosuch"/],
    [['wp', 'add', '1', 'Title', '--deps', 'WP07'], /WP07 does not exist in 001-shop/],
    [['review', 'WP01'], /spec-kitty implement WP01/],
    [['move', 'WP01', '--to', 'done'], /cannot skip from planned to done/],
  ];
  for (const [args, message] of cases) {
    const r = await p.run(...args);
    t.is(r.code, 1, `spec-kitty ${args.join(' ')}\n${r.stderr}`);
    t.regex(r.stderr, message);
  }
  // The forms users type are accepted: wp1 and 1 are WP01.
  t.is((await p.run('move', 'wp1', '--to', 'planned')).code, 0);
  t.is((await p.run('status', '--feature', '1')).code, 0);
});

// ── output that cannot be written ────────────────────────────────────────────────────────

/** Runs the CLI through bash, for redirections and pipes; `pipefail` gives the CLI's own status. */
function shell(script: string, home: string, cwd: string) {
  return spawnSync('bash', ['-o', 'pipefail', '-c', script], { cwd, env: cliEnv(home), encoding: 'utf8' });
}
const cli = `'${process.execPath}' '${CLI}'`;

test('stdout on a full disk (/dev/full): one line on stderr, exit 1, never a stack trace', (t) => {
  const { cwd, home } = outside();
  for (const args of ['--help', 'sync status', 'sync queue', 'sync status --json', 'status --json']) {
    const r = shell(`${cli} ${args} > /dev/full`, home, cwd);
    t.is(r.status, 1, `${args}: ${r.stderr}`);
    t.true(noStack(r.stderr), r.stderr);
    if (args === 'status --json') {
      // The command failed first; its JSON error then met the full disk too. Both said, in one line each.
      t.regex(r.stderr, /not inside a spec-kitty project/);
      continue;
    }
    t.is(r.stderr, 'error: cannot write to stdout: no space left on device (ENOSPC)\n', args);
  }
});

test('a reader that goes away (| head -1, | true) ends the output quietly: no stack, exit 0', async (t) => {
  const { cwd, home } = outside();
  // More than a pipe holds, so the CLI is still writing when head has gone.
  const { queue } = openTestQueue(home);
  for (let i = 0; i < 1500; i++) await queue.enqueue(envelope({ aggregate_id: `WP${String(i % 99 + 1).padStart(2, '0')}` }), 'pending');
  queue.close();
  for (const args of ['sync queue --limit 0', 'sync queue --limit 0 --json']) {
    const r = shell(`${cli} ${args} | head -1`, home, cwd);
    t.is(r.status, 0, `${args}: ${r.stderr}`);
    t.is(r.stderr, '', args);
    t.is(r.stdout.split('\n').length, 2);
  }
  const gone = shell(`${cli} --help | true`, home, cwd);
  t.is(gone.status, 0, gone.stderr);
  t.is(gone.stderr, '');
});

// ── locks ─────────────────────────────────────────────────────────────────────────────────

test('a lane move that waits for a live lock says so once, naming the pid and the file; a dead holder\'s lock is broken at once', async (t) => {
  const p = await initRepo();
  await p.ok('feature', 'create', 'Shop');
  await p.ok('wp', 'add', '1', 'A');
  const file = join(p.tasks('001-shop'), 'WP01-a.md');
  const lock = `${file}.lock`;
  // This test's own process is the live holder.
  mkdirSync(lock);
  writeFileSync(join(lock, 'owner.json'), JSON.stringify({ pid: process.pid, hostname: hostname(), token: 'test' }));
  const running = p.run('implement', 'WP01');
  await new Promise((r) => setTimeout(r, 1_500));
  rmSync(lock, { recursive: true });
  const r = await running;
  t.is(r.code, 0, r.stderr);
  const waits = r.stderr.split('\n').filter((l) => l.includes('waiting for'));
  t.deepEqual(waits, [`warning: waiting for another spec-kitty command (pid ${process.pid}) that is changing kitty-specs/001-shop/tasks/WP01-a.md`]);

  // A holder that died on this machine (pid gone): no wait, no notice.
  mkdirSync(lock);
  writeFileSync(join(lock, 'owner.json'), JSON.stringify({ pid: 999_999_999, hostname: hostname(), token: 'dead' }));
  const started = Date.now();
  const review = await p.run('review', 'WP01');
  t.is(review.code, 0, review.stderr);
  t.false(review.stderr.includes('waiting for'));
  t.true(Date.now() - started < 5_000);
});

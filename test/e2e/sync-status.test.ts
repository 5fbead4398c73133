import test from 'ava';
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { envelope, openTestQueue, PROJECT_A, PROJECT_B } from '../services/queue/queue-fixtures.js';
import { CLI, cliEnv, runCli, runJson, tempDir, type RunOptions, type RunResult } from '../helpers/cli.js';
import { initRepo } from './workflow-helpers.js';

interface Counts { pending: number; held: number; sent: number; dead: number }
interface Status {
  queue_path: string;
  queue_exists: boolean;
  total: number;
  counts: Counts;
  projects: Array<{ project_uuid: string | null; project_slug: string | null; counts: Counts; total: number }>;
  oldest_pending_at: string | null;
  oldest_pending_age_seconds: number | null;
  auth: { logged_in: boolean; team_slug: string; username: string | null; hub_url: string | null };
}

/** Outside any project: these commands read the per-user queue only. */
const place = () => {
  const dir = tempDir('sk-sync-');
  return { cwd: dir, home: join(dir, 'home') };
};

test('sync status --json on a fresh home: zero counts, the queue path, not logged in, and no file created', async (t) => {
  const opts = place();
  const r = await runCli(['sync', 'status', '--json'], opts);
  t.is(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout) as Status;
  t.deepEqual(s, {
    queue_path: join(opts.home, 'queue.db'),
    queue_exists: false,
    total: 0,
    counts: { pending: 0, held: 0, sent: 0, dead: 0 },
    projects: [],
    oldest_pending_at: null,
    oldest_pending_age_seconds: null,
    auth: s.auth,
    last_sync_at: null,
    last_sync_error: null,
    sync: { enabled: true, off_because: null, background: true, exit_flush_ms: 1500, drainer_pid: null },
    dead_events: [],
  });
  t.like(s.auth, { logged_in: false, team_slug: 'local' });
  t.false(existsSync(join(opts.home, 'queue.db')));
});

test('sync status --json counts per state and per project and dates the oldest pending event', async (t) => {
  const opts = place();
  const { queue } = openTestQueue(opts.home);
  const oldest = envelope();
  await queue.enqueue(oldest, 'pending');
  const sent = envelope();
  await queue.enqueue(sent, 'pending');
  await queue.markSent([sent.event_id]);
  await queue.enqueue(envelope({ project_uuid: PROJECT_B, project_slug: 'beta' }), 'pending');
  const dead = envelope({ project_uuid: PROJECT_B, project_slug: 'beta' });
  await queue.enqueue(dead, 'pending');
  await queue.markDead(dead.event_id, 'rejected');
  await queue.enqueue(envelope({ project_uuid: null, project_slug: null }), 'held');
  const oldestAt = (await queue.list()).events[0].created_at;
  queue.close();

  const s = await runJson<Status>(['sync', 'status', '--json'], opts);
  t.true(s.queue_exists);
  t.is(s.total, 5);
  t.deepEqual(s.counts, { pending: 2, held: 1, sent: 1, dead: 1 });
  const byUuid = Object.fromEntries(s.projects.map((p) => [String(p.project_uuid), p]));
  t.like(byUuid[PROJECT_A], { project_slug: 'alpha', total: 2, counts: { pending: 1, held: 0, sent: 1, dead: 0 } });
  t.like(byUuid[PROJECT_B], { project_slug: 'beta', total: 2, counts: { pending: 1, held: 0, sent: 0, dead: 1 } });
  t.like(byUuid.null, { project_slug: null, counts: { pending: 0, held: 1, sent: 0, dead: 0 } });
  t.is(s.oldest_pending_at, oldestAt);
  t.true(Number.isInteger(s.oldest_pending_age_seconds) && s.oldest_pending_age_seconds! >= 0);
});

test('sync status prints a readable summary', async (t) => {
  const opts = place();
  const { queue } = openTestQueue(opts.home);
  await queue.enqueue(envelope(), 'pending');
  await queue.enqueue(envelope({ project_uuid: null, project_slug: null }), 'held');
  queue.close();
  const r = await runCli(['sync', 'status'], opts);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /Offline queue\s+.*queue\.db/);
  t.regex(r.stdout, /pending\s+1\s+oldest queued \S+ ago/);
  t.regex(r.stdout, /held\s+1\s+no project identity/);
  t.regex(r.stdout, /alpha\s+6f1c2a3b/);
  t.regex(r.stdout, /Hub: not logged in/);
});

test('sync status on a damaged queue.db salvages what it can, keeps the file aside with a message, and still reports', async (t) => {
  const opts = place();
  mkdirSync(opts.home, { recursive: true });
  writeFileSync(join(opts.home, 'queue.db'), 'garbage, not SQLite'.repeat(100));
  const r = await runCli(['sync', 'status', '--json'], opts);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /^warning: the offline queue .*queue\.db was damaged \(file is not a database\): none of its events could be read\. The damaged file was moved aside to .*queue\.db\.corrupt-\S+; keep it to inspect, or delete it\.\n$/);
  t.not(r.stderr.includes('    at '), true, 'no stack trace');
  t.deepEqual((JSON.parse(r.stdout) as Status).counts, { pending: 0, held: 0, sent: 0, dead: 0 });
  t.is(readdirSync(opts.home).filter((f) => f.startsWith('queue.db.corrupt-')).length, 1);
});

test('sync --help and sync status --help explain the commands with examples', async (t) => {
  const opts = place();
  const sync = await runCli(['sync', '--help'], opts);
  t.is(sync.code, 0);
  t.regex(sync.stdout, /status/);
  t.regex(sync.stdout, /queue/);
  const status = await runCli(['sync', 'status', '--help'], opts);
  t.regex(status.stdout, /Examples:\n\s+\$ spec-kitty sync status/);
});

// ── A broken queue: one line that says what to do, exit 1, never a stack trace ────────────

const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;
let nobodyOk: boolean | undefined;
/** Permission problems are only real without root: these runs start the CLI as uid 65534. */
function nobodyReason(): string | undefined {
  if (!isRoot) return 'needs root to start the CLI as another user (a mode-000 file of your own behaves the same)';
  if (nobodyOk === undefined) {
    try {
      execFileSync(process.execPath, [CLI, '--version'], { uid: NOBODY, gid: NOBODY, stdio: 'ignore' });
      nobodyOk = true;
    } catch {
      nobodyOk = false;
    }
  }
  return nobodyOk ? undefined : `uid ${NOBODY} cannot run ${CLI}`;
}

/** The CLI run as uid 65534, with a HOME of its own (git reads its config from there). */
function runAsNobody(args: string[], opts: RunOptions): Promise<RunResult> {
  const userHome = tempDir('sk-nobody-');
  chmodSync(dirname(userHome), 0o1777);
  chownSync(userHome, NOBODY, NOBODY);
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLI, ...args], { cwd: opts.cwd, env: cliEnv(opts.home, { HOME: userHome }), uid: NOBODY, gid: NOBODY },
      (err, stdout, stderr) => {
        const code = err ? (err as { code?: unknown }).code : 0;
        if (typeof code !== 'number') return reject(err);
        resolve({ code, stdout, stderr });
      }).stdin?.end();
  });
}

/** A place nobody can reach, its home owned by `owner`. */
function reachable(owner: number) {
  const opts = place();
  chmodSync(opts.cwd, 0o755);
  mkdirSync(opts.home, { mode: 0o755 });
  chownSync(opts.home, owner, owner);
  return opts;
}

const snapshot = (home: string) => Object.fromEntries(readdirSync(home).sort().map((f) => {
  const st = statSync(join(home, f));
  return [f, { mode: st.mode, bytes: st.isFile() ? readFileSync(join(home, f)).toString('base64') : null }];
}));

/** Exit 1, nothing on stdout, one `error:` line on stderr matching `message`, no stack frames. */
function assertOneLine(t: any, r: RunResult, message: RegExp) {
  t.is(r.code, 1, r.stderr);
  t.is(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  t.is(lines.length, 1, r.stderr);
  t.regex(lines[0], /^error: /);
  t.regex(lines[0], message);
  t.false(/\bat [\w.<>]+ \(|\bat \/|node:internal|unexpected failure/.test(r.stderr), 'no stack trace');
}

const FOLDER = /the offline queue .*queue\.db is a folder, not a file\. Move it out of the way/;

test('sync status with a folder where queue.db should be: one line, exit 1', async (t) => {
  const opts = place();
  mkdirSync(join(opts.home, 'queue.db'), { recursive: true });
  assertOneLine(t, await runCli(['sync', 'status'], opts), FOLDER);
  const json = await runCli(['sync', 'status', '--json'], opts);
  t.is(json.code, 1);
  t.deepEqual(readdirSync(opts.home), ['queue.db']);
});

test('sync status on a queue.db of mode 000 (run as uid 65534): permission denied, what to check, the file untouched', async (t) => {
  const reason = nobodyReason();
  if (reason) return t.pass(reason);
  const opts = reachable(NOBODY);
  const { queue } = openTestQueue(opts.home);
  await queue.enqueue(envelope(), 'pending');
  queue.close();
  const file = join(opts.home, 'queue.db');
  chownSync(file, NOBODY, NOBODY);
  chmodSync(file, 0o000);
  const before = snapshot(opts.home);
  assertOneLine(t, await runAsNobody(['sync', 'status'], opts),
    /permission denied: nobody cannot read and write the offline queue .*queue\.db \(EACCES\)\. Check the ownership and mode of \$SPEC_KITTY_HOME\/queue\.db/);
  t.deepEqual(snapshot(opts.home), before, 'byte-identical, nothing moved aside');
});

test('sync status with queue.db in a read-only $SPEC_KITTY_HOME (run as uid 65534): the folder is named, exit 1', async (t) => {
  const reason = nobodyReason();
  if (reason) return t.pass(reason);
  const opts = reachable(0);
  const { queue } = openTestQueue(opts.home);
  await queue.enqueue(envelope(), 'pending');
  queue.close();
  chmodSync(join(opts.home, 'queue.db'), 0o666);
  const before = snapshot(opts.home);
  assertOneLine(t, await runAsNobody(['sync', 'status'], opts),
    /permission denied: the offline queue .*queue\.db cannot be used because its folder \$SPEC_KITTY_HOME \(.*\) is not writable for nobody/);
  t.deepEqual(snapshot(opts.home), before);
});

test('sync status on a damaged queue.db that cannot be salvaged (read-only $SPEC_KITTY_HOME, uid 65534): one line, the file left as it is', async (t) => {
  const reason = nobodyReason();
  if (reason) return t.pass(reason);
  const opts = reachable(0);
  writeFileSync(join(opts.home, 'queue.db'), 'garbage, not SQLite'.repeat(100));
  chmodSync(join(opts.home, 'queue.db'), 0o666);
  const before = snapshot(opts.home);
  assertOneLine(t, await runAsNobody(['sync', 'status'], opts),
    /the offline queue .*queue\.db is damaged \(file is not a database\) and its events could not be salvaged into a new file: permission denied: .*The damaged file was left as it is\. Check that \$SPEC_KITTY_HOME/);
  t.deepEqual(snapshot(opts.home), before);
});

test('sync status with a read-only $SPEC_KITTY_HOME and no queue.db yet reports an empty queue and creates nothing (uid 65534)', async (t) => {
  const reason = nobodyReason();
  if (reason) return t.pass(reason);
  const opts = reachable(0);
  const r = await runAsNobody(['sync', 'status', '--json'], opts);
  t.is(r.code, 0, r.stderr);
  t.like(JSON.parse(r.stdout) as Status, { queue_exists: false, total: 0 });
  t.deepEqual(readdirSync(opts.home), []);
});

test('an emitting command on a queue.db it may not read or write exits 3 with the permission error, and changes nothing (uid 65534)', async (t) => {
  const reason = nobodyReason();
  if (reason) return t.pass(reason);
  const p = await initRepo();
  await p.ok('feature', 'create', 'Shop');
  const events = (await p.events()).length;
  // The project and the home belong to the user; queue.db alone is mode 000.
  execFileSync('chown', ['-R', `${NOBODY}:${NOBODY}`, p.repo, p.home]);
  chmodSync(dirname(p.repo), 0o755); // the repo's temp parent
  const file = join(p.home, 'queue.db');
  chmodSync(file, 0o000);
  const before = readFileSync(file);
  const tasks = p.tasks('001-shop');
  const wpsBefore = existsSync(tasks) ? readdirSync(tasks) : [];

  const r = await runAsNobody(['wp', 'add', '1', 'Cart model'], { cwd: p.repo, home: p.home });
  // Exit 3: the event could not be queued, so the WP was not added.
  t.is(r.code, 3, r.stderr);
  t.regex(r.stderr, /permission denied: nobody cannot read and write the offline queue .*queue\.db \(EACCES\)\. Check the ownership and mode of \$SPEC_KITTY_HOME\/queue\.db/);
  t.false(/\bat [\w.<>]+ \(|node:internal/.test(r.stderr), 'no stack trace');
  t.deepEqual(existsSync(tasks) ? readdirSync(tasks) : [], wpsBefore, 'no WP was written');
  t.deepEqual(readFileSync(file), before, 'queue.db byte-identical');
  t.deepEqual(readdirSync(p.home).filter((f) => f.includes('corrupt')), []);
  chmodSync(file, 0o644);
  t.is((await p.events()).length, events, 'and nothing was queued');
});

test('status with a broken queue still shows the board, and its queue line says the queue is unavailable and why', async (t) => {
  const p = await initRepo();
  await p.ok('feature', 'create', 'Shop');
  await p.ok('wp', 'add', '1', 'Cart model');
  for (const f of readdirSync(p.home)) if (f.startsWith('queue.db')) execFileSync('rm', ['-rf', join(p.home, f)]);
  mkdirSync(join(p.home, 'queue.db'));
  const r = await p.run('status');
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /WP01/);
  t.regex(r.stdout, /Queue: queue unavailable: the offline queue .*queue\.db is a folder, not a file\. Move it out of the way/);
  t.false(/\bat [\w.<>]+ \(|node:internal/.test(r.stdout + r.stderr), 'no stack trace');
});

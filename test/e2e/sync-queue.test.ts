import test from 'ava';
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { envelope, openTestQueue, PROJECT_B } from '../services/queue/queue-fixtures.js';
import { CLI, cliEnv, runCli, runJson, tempDir, type RunOptions, type RunResult } from '../helpers/cli.js';

interface Listing {
  queue_path: string;
  total: number;
  limit: number;
  events: Array<{ seq: number; state: string; attempts: number; last_error: string | null; created_at: string; envelope: Record<string, unknown> }>;
}

async function seeded() {
  const dir = tempDir('sk-syncq-');
  const opts = { cwd: dir, home: join(dir, 'home') };
  const { queue } = openTestQueue(opts.home);
  const alpha = [envelope(), envelope({ aggregate_id: 'WP02' }), envelope({ aggregate_id: 'WP03' })];
  for (const e of alpha) await queue.enqueue(e, 'pending');
  const beta = envelope({ project_uuid: PROJECT_B, project_slug: 'beta' });
  await queue.enqueue(beta, 'pending');
  await queue.markRetry(beta.event_id, 'hub unreachable', Date.now() + 60_000);
  const held = envelope({ project_uuid: null, project_slug: null });
  await queue.enqueue(held, 'held');
  queue.close();
  return { opts, alpha, beta, held };
}

test('sync queue --json lists every event with its envelope, ordered by seq', async (t) => {
  const { opts, alpha, beta, held } = await seeded();
  const out = await runJson<Listing>(['sync', 'queue', '--json'], opts);
  t.is(out.queue_path, join(opts.home, 'queue.db'));
  t.is(out.total, 5);
  t.deepEqual(out.events.map((e) => e.seq), [1, 2, 3, 4, 5]);
  t.deepEqual(out.events.map((e) => e.envelope), [...alpha, beta, held]);
  t.deepEqual(out.events.map((e) => e.state), ['pending', 'pending', 'pending', 'pending', 'held']);
  t.like(out.events[3], { attempts: 1, last_error: 'hub unreachable' });
  for (const e of out.events) {
    t.deepEqual(Object.keys(e).slice(0, 6), ['seq', 'state', 'attempts', 'last_error', 'created_at', 'sent_at']);
    t.regex(e.created_at, /^\d{4}-\d\d-\d\dT.*Z$/);
  }
});

test('sync queue filters by --state and --project (slug or uuid) and honours --limit', async (t) => {
  const { opts, alpha, held } = await seeded();
  const heldOnly = await runJson<Listing>(['sync', 'queue', '--json', '--state', 'held'], opts);
  t.deepEqual(heldOnly.events.map((e) => e.envelope.event_id), [held.event_id]);
  const bySlug = await runJson<Listing>(['sync', 'queue', '--json', '--project', 'alpha'], opts);
  t.deepEqual(bySlug.events.map((e) => e.envelope.event_id), alpha.map((e) => e.event_id));
  const byUuid = await runJson<Listing>(['sync', 'queue', '--json', '--project', PROJECT_B], opts);
  t.is(byUuid.total, 1);
  const limited = await runJson<Listing>(['sync', 'queue', '--json', '--limit', '2'], opts);
  t.is(limited.total, 5);
  t.deepEqual(limited.events.map((e) => e.seq), [1, 2]);
});

test('sync queue prints a table, and says when it shows only part of the queue', async (t) => {
  const { opts } = await seeded();
  const r = await runCli(['sync', 'queue', '--limit', '4'], opts);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /seq\s+state\s+queued/);
  t.regex(r.stdout, /1\s+pending\s+\S+ \S+\s+alpha\s+WPStatusChanged\s+WP01\s+planned → doing/);
  t.regex(r.stdout, /1 attempt\(s\): hub unreachable/);
  t.regex(r.stdout, /showing the oldest 4 of 5/);
});

test('bad --state or --limit is a usage error (exit 2) that says what is allowed', async (t) => {
  const dir = tempDir('sk-syncq-');
  const opts = { cwd: dir, home: join(dir, 'home') };
  const state = await runCli(['sync', 'queue', '--state', 'queued'], opts);
  t.is(state.code, 2);
  t.regex(state.stderr, /Allowed choices are (prepared, )?pending, held, sent, dead/);
  for (const bad of ['abc', '-3', '1.5']) {
    const limit = await runCli(['sync', 'queue', '--limit', bad], opts);
    t.is(limit.code, 2, bad);
    t.regex(limit.stderr, /--limit must be a whole number/);
  }
});

test('sync queue on a fresh home lists nothing and creates nothing', async (t) => {
  const dir = tempDir('sk-syncq-');
  const opts = { cwd: dir, home: join(dir, 'home') };
  t.deepEqual(await runJson<Listing>(['sync', 'queue', '--json'], opts), { queue_path: join(opts.home, 'queue.db'), total: 0, limit: 50, events: [] });
  const human = await runCli(['sync', 'queue'], opts);
  t.regex(human.stdout, /No queued events/);
  t.false(existsSync(join(opts.home, 'queue.db')));
});

test('sync queue on a damaged queue.db lists every event it could salvage, and says what it did', async (t) => {
  const { opts, alpha, beta, held } = await seeded();
  // A stray write over the whole of one index: the events table itself is intact.
  const file = join(opts.home, 'queue.db');
  const Database = (await import('better-sqlite3')).default;
  const db = new Database(file, { readonly: true });
  const pages = (db.prepare(`SELECT pageno FROM dbstat WHERE name = 'events_by_state'`).all() as Array<{ pageno: number }>).map((p) => p.pageno);
  const size = db.pragma('page_size', { simple: true }) as number;
  db.close();
  const bytes = readFileSync(file);
  for (const p of pages) bytes.fill(0xab, (p - 1) * size, p * size);
  writeFileSync(file, bytes);

  const r = await runCli(['sync', 'queue', '--json', '--state', 'pending'], opts);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /^warning: the offline queue .*queue\.db was damaged \(database disk image is malformed\): 5 event\(s\) were salvaged into a new queue, and none was lost\. The damaged file was moved aside to .*queue\.db\.corrupt-/);
  t.deepEqual((JSON.parse(r.stdout) as Listing).events.map((e) => e.envelope), [...alpha, beta]);
  const all = await runJson<Listing>(['sync', 'queue', '--json'], opts);
  t.deepEqual(all.events.map((e) => e.envelope), [...alpha, beta, held]);
});

// ── A broken queue: one line that says what to do, exit 1, never a stack trace ────────────

const NOBODY = 65534;
let nobodyOk: boolean | undefined;
function nobodyReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to start the CLI as another user (a mode-000 file of your own behaves the same)';
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

function runAsNobody(args: string[], opts: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLI, ...args], { cwd: opts.cwd, env: cliEnv(opts.home), uid: NOBODY, gid: NOBODY }, (err, stdout, stderr) => {
      const code = err ? (err as { code?: unknown }).code : 0;
      if (typeof code !== 'number') return reject(err);
      resolve({ code, stdout, stderr });
    }).stdin?.end();
  });
}

/** A place uid 65534 can reach, its home owned by `owner`. */
function reachable(owner: number) {
  const dir = tempDir('sk-syncq-');
  chmodSync(dir, 0o755);
  const opts = { cwd: dir, home: join(dir, 'home') };
  mkdirSync(opts.home, { mode: 0o755 });
  chownSync(opts.home, owner, owner);
  return opts;
}

const snapshot = (home: string) => Object.fromEntries(readdirSync(home).sort().map((f) => {
  const st = statSync(join(home, f));
  return [f, { mode: st.mode, bytes: st.isFile() ? readFileSync(join(home, f)).toString('base64') : null }];
}));

function assertOneLine(t: any, r: RunResult, message: RegExp) {
  t.is(r.code, 1, r.stderr);
  t.is(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  t.is(lines.length, 1, r.stderr);
  t.regex(lines[0], /^error: /);
  t.regex(lines[0], message);
  t.false(/\bat [\w.<>]+ \(|\bat \/|node:internal|unexpected failure/.test(r.stderr), 'no stack trace');
}

test('sync queue with a folder where queue.db should be: one line, exit 1', async (t) => {
  const dir = tempDir('sk-syncq-');
  const opts = { cwd: dir, home: join(dir, 'home') };
  mkdirSync(join(opts.home, 'queue.db'), { recursive: true });
  assertOneLine(t, await runCli(['sync', 'queue'], opts), /the offline queue .*queue\.db is a folder, not a file\. Move it out of the way/);
  t.is((await runCli(['sync', 'queue', '--json'], opts)).code, 1);
});

test('sync queue on a queue.db of mode 000 (run as uid 65534): permission denied, the file untouched', async (t) => {
  const reason = nobodyReason();
  if (reason) return t.pass(reason);
  const opts = reachable(NOBODY);
  const { queue } = openTestQueue(opts.home);
  await queue.enqueue(envelope(), 'pending');
  queue.close();
  chownSync(join(opts.home, 'queue.db'), NOBODY, NOBODY);
  chmodSync(join(opts.home, 'queue.db'), 0o000);
  const before = snapshot(opts.home);
  assertOneLine(t, await runAsNobody(['sync', 'queue'], opts),
    /permission denied: nobody cannot read and write the offline queue .*queue\.db \(EACCES\)\. Check the ownership and mode of \$SPEC_KITTY_HOME\/queue\.db/);
  t.deepEqual(snapshot(opts.home), before);
});

test('sync queue on a damaged queue.db that cannot be salvaged (read-only $SPEC_KITTY_HOME, uid 65534): one line, the file left as it is', async (t) => {
  const reason = nobodyReason();
  if (reason) return t.pass(reason);
  const opts = reachable(0);
  writeFileSync(join(opts.home, 'queue.db'), 'garbage, not SQLite'.repeat(100));
  chmodSync(join(opts.home, 'queue.db'), 0o666);
  const before = snapshot(opts.home);
  assertOneLine(t, await runAsNobody(['sync', 'queue'], opts),
    /the offline queue .*queue\.db is damaged \(file is not a database\) and its events could not be salvaged into a new file: permission denied/);
  t.deepEqual(snapshot(opts.home), before);
});

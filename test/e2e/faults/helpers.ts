/**
 * The fault suite's machinery (issue 16, WP06): real hubs (`spec-kitty hub serve` children on
 * SQLite or PostgreSQL) that can be SIGKILLed and restarted on the same port, "machines" (a
 * SPEC_KITTY_HOME each, with a node-id file of its own, optionally run as another uid), checkouts
 * on them, and the audit every scenario ends with: the events the machines' queues hold against
 * the events the hub holds, read back through its API (and, for SQLite, its file).
 *
 * Every process started here is ended by the test that started it (t.teardown): hubs, and the
 * detached drainers of every machine's home.
 */
import type { ExecutionContext } from 'ava';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { parse } from 'yaml';
import { runningDrainer } from '../../../cli/sync/drainer-lock.js';
import type { Envelope } from '../../../contract/index.js';
import { CLI, cliEnv, tempDir, type RunResult } from '../../helpers/cli.js';
import { git, makeGitRepo } from '../../helpers/git.js';
import { serveHub } from '../../helpers/hub.js';
import { envelope } from '../../helpers/envelope.js';
import { drainerPids, killDrainers, seed, waitFor } from '../sync-helpers.js';

export { waitFor, drainerPids };

export const PASSWORD = 'correct horse battery';
export const USER = 'ada';
export const TEAM = 'acme';
/** A PostgreSQL URL whose user may create databases; the PG scenarios run only with it. */
export const PG_URL = process.env.SPEC_KITTY_TEST_PG || undefined;
/**
 * Scales the bounded fault loop of kills.test.ts up: `FAULTS_SCALE=5 npx ava --timeout=15m
 * test/e2e/faults/kills.test.ts` (`npm run chaos` runs its own long version).
 */
export const SCALE = Math.max(1, Number(process.env.FAULTS_SCALE ?? 1) || 1);

/** What owns the processes and folders a helper starts: an ava test, or the chaos runner's own list. */
export type Owner = Pick<ExecutionContext, 'teardown'>;

/** An Owner for scripts: `close()` runs what was registered, last first. */
export function scriptOwner(): Owner & { close(): Promise<void> } {
  const fns: Array<() => unknown> = [];
  return {
    teardown: (fn: () => unknown) => { fns.push(fn); },
    async close() {
      for (const fn of fns.reverse()) {
        try { await fn(); } catch (err) { process.stderr.write(`teardown: ${(err as Error).message}\n`); }
      }
    },
  } as Owner & { close(): Promise<void> };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// ── Running the CLI, as root or as another user ───────────────────────────────────────────────

export interface ExecOptions {
  cwd: string;
  home: string;
  env?: Record<string, string>;
  input?: string;
  /** Run as this uid (and its gid): root only. */
  uid?: number;
}

/** The built CLI as a child process (as `uid`, when given, with a HOME of that user's own). */
export function exec(args: string[], opts: ExecOptions): Promise<RunResult> {
  const ids = opts.uid === undefined ? {} : { uid: opts.uid, gid: opts.uid };
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [CLI, ...args], { cwd: opts.cwd, env: cliEnv(opts.home, opts.env), maxBuffer: 64 << 20, ...ids },
      (err, stdout, stderr) => {
        const code = err ? (err as { code?: unknown }).code : 0;
        if (typeof code !== 'number') return reject(err);
        resolve({ code, stdout, stderr });
      });
    child.stdin?.end(opts.input ?? '');
  });
}

/** Started without waiting (to race or kill it). */
export function start(args: string[], opts: ExecOptions): ChildProcess {
  const ids = opts.uid === undefined ? {} : { uid: opts.uid, gid: opts.uid };
  return spawn(process.execPath, [CLI, ...args], { cwd: opts.cwd, env: cliEnv(opts.home, opts.env), stdio: ['ignore', 'pipe', 'pipe'], ...ids });
}

const mustSucceed = (args: string[], r: RunResult) => {
  if (r.code !== 0) throw new Error(`spec-kitty ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
};

// ── The hub ───────────────────────────────────────────────────────────────────────────────────

export interface HubEvent {
  seq: number;
  envelope: Envelope;
}

export interface HubProject {
  project_uuid: string;
  project_slug: string | null;
  event_count: number;
  node_ids: string[];
}

/** The team's view of a hub, through its read API as ada (any process on its database answers the same). */
export class HubReader {
  #token: string | undefined;
  constructor(public url: string) {}

  async #get<T>(path: string): Promise<T> {
    for (let attempt = 0; attempt < 2; attempt++) {
      this.#token ??= await apiLogin(this.url);
      const r = await fetch(`${this.url}${path}`, { headers: { authorization: `Bearer ${this.#token}` } });
      if (r.status === 401 && attempt === 0) {
        this.#token = undefined;
        continue;
      }
      if (!r.ok) throw new Error(`GET ${path}: ${r.status} ${await r.text()}`);
      return (await r.json()) as T;
    }
    throw new Error(`GET ${path}: unauthorized`);
  }

  async projects(): Promise<HubProject[]> {
    return (await this.#get<{ projects: HubProject[] }>('/api/v1/projects/')).projects;
  }

  /** Every event of one project, newest first, 500 a page with `before`. */
  async events(uuid: string): Promise<HubEvent[]> {
    const all: HubEvent[] = [];
    let before: number | null = null;
    for (let page = 0; page < 1000; page++) {
      const body: { events: HubEvent[]; next_before: number | null } =
        await this.#get(`/api/v1/projects/${uuid}/events/?limit=500${before === null ? '' : `&before=${before}`}`);
      all.push(...body.events);
      if (body.next_before === null) return all;
      before = body.next_before;
    }
    throw new Error('more than 1000 pages of events');
  }

  /** Every event of every project of the team. */
  async all(): Promise<HubEvent[]> {
    const out: HubEvent[] = [];
    for (const p of await this.projects()) out.push(...await this.events(p.project_uuid));
    return out;
  }
}

async function apiLogin(url: string, username = USER): Promise<string> {
  const r = await fetch(`${url}/api/v1/token/`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }),
  });
  if (!r.ok) throw new Error(`hub login at ${url}: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { access: string }).access;
}

export interface Hub {
  readonly url: string;
  readonly port: number;
  /** The SQLite file, or the postgres:// URL. */
  readonly db: string;
  readonly sqlite: boolean;
  readonly reader: HubReader;
  child(): ChildProcess;
  alive(): boolean;
  /** SIGKILL, and wait for it to be gone. */
  kill(): Promise<void>;
  /** `hub serve` again, on the same port and database. */
  restart(): Promise<void>;
  /** SIGTERM and wait (SIGKILL after 10 s). */
  stop(): Promise<void>;
  /** The output of every process this hub has been, so far. */
  output(): string;
  /** How many batches the current process has answered with `status`. */
  batches(status?: number): number;
}

export interface HubOptions {
  /** A postgres:// URL (a database of its own: pgDatabase), or a SQLite file (default: a new one). */
  db?: string;
  /** Start on this port (a second process, a restart). */
  port?: number;
  /** Add the users first (ada of acme); false for a second process on a database that has them. */
  addUsers?: boolean;
  args?: string[];
}

/** `spec-kitty hub serve` with ada of team acme; ended at teardown. */
export async function startHub(t: Owner, options: HubOptions = {}): Promise<Hub> {
  const dir = tempDir('sk-fhub-');
  const where = { cwd: dir, home: join(dir, 'home') };
  const db = options.db ?? join(dir, 'hub.db');
  if (options.addUsers !== false) {
    const add = await exec(['hub', 'user', 'add', USER, '--team', TEAM, '--password-stdin', '--db', db], { ...where, input: PASSWORD });
    if (add.code !== 0) throw new Error(`hub user add: ${add.stderr}`);
  }
  let earlier = '';
  const serve = (port: number) => serveHub(['--port', String(port), '--db', db, ...(options.args ?? [])], where);
  let current = await serve(options.port ?? 0);
  const port = Number(new URL(current.url).port);
  const gone = (c: ChildProcess) => c.exitCode !== null || c.signalCode !== null;
  const end = async (signal: NodeJS.Signals) => {
    const c = current.child;
    if (!gone(c)) {
      c.kill(signal);
      const timer = setTimeout(() => { if (!gone(c)) c.kill('SIGKILL'); }, 10_000);
      await current.exited;
      clearTimeout(timer);
    }
  };
  const hub: Hub = {
    url: current.url,
    port,
    db,
    sqlite: !/^postgres(ql)?:\/\//.test(db),
    reader: new HubReader(current.url),
    child: () => current.child,
    alive: () => !gone(current.child),
    kill: () => end('SIGKILL'),
    stop: () => end('SIGTERM'),
    async restart() {
      await end('SIGKILL');
      earlier += current.output();
      // The port was just freed; another program may take it meanwhile, so a few tries.
      for (let attempt = 1; ; attempt++) {
        try {
          current = await serve(port);
          return;
        } catch (err) {
          if (attempt >= 20) throw err;
          await sleep(100);
        }
      }
    },
    output: () => earlier + current.output(),
    batches: (status = 200) => current.output().split('\n').filter((l) => l.startsWith(`POST /api/v1/events/batch/ ${status} `)).length,
  };
  t.teardown(async () => {
    await hub.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return hub;
}

/** A database of its own on SPEC_KITTY_TEST_PG, dropped at teardown (after the hubs on it stop). */
export async function pgDatabase(t: Owner): Promise<string> {
  if (!PG_URL) throw new Error('SPEC_KITTY_TEST_PG is not set');
  const { default: postgres } = await import('postgres');
  const admin = postgres(PG_URL, { max: 1, onnotice: () => undefined });
  const name = `sk_faults_${randomBytes(6).toString('hex')}`;
  await admin.unsafe(`CREATE DATABASE ${name}`);
  // Teardowns run last-registered first: this one after every hub started later.
  t.teardown(async () => {
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await admin.end({ timeout: 5 });
  });
  return Object.assign(new URL(PG_URL), { pathname: `/${name}` }).toString();
}

/** Counts in the hub's SQLite file, read directly (a second witness beside the API). */
export function sqliteCounts(file: string): { rows: number; distinct: number } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const { n, d } = db.prepare('SELECT count(*) AS n, count(DISTINCT event_id) AS d FROM events').get() as { n: number; d: number };
    return { rows: n, distinct: d };
  } finally {
    db.close();
  }
}

/** Expires or revokes ada's tokens in a SQLite hub's file, as time or an admin would. */
export function editHubTokens(file: string, sql: string): number {
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    return db.prepare(sql).run().changes;
  } finally {
    db.close();
  }
}

// ── Machines and checkouts ────────────────────────────────────────────────────────────────────

export const NOBODY = 65534;
export const isRoot = process.getuid?.() === 0;

export interface Machine {
  name: string;
  /** A folder of the machine's own; `home` is inside it. */
  dir: string;
  home: string;
  nodeId: string;
  uid?: number;
  run(args: string[], cwd: string, env?: Record<string, string>, input?: string): Promise<RunResult>;
  ok(args: string[], cwd: string, env?: Record<string, string>): Promise<RunResult>;
  /** `auth login` as ada at `url`. */
  login(url: string): Promise<RunResult>;
  /** A folder (a checkout's) removed with the machine at teardown. */
  own(path: string): void;
}

export interface MachineOptions {
  /**
   * The batch-sync lease of the drainers and `sync now`s this machine runs outside a project:
   * a `.kittify/plugins.json` in `dir`, the folder above `home` (a drainer runs in `home`). A
   * SIGKILLed sender's claim then runs out in seconds instead of the default minute, so a
   * bounded test can wait it out.
   */
  leaseMs?: number;
  /** Run its CLIs as this uid (root only): a user who may not write the checkout. */
  uid?: number;
}

const userName = (uid?: number) => uid === undefined ? userInfo().username : execFileSync('id', ['-nu', String(uid)], { encoding: 'utf8' }).trim();

/**
 * A machine: a SPEC_KITTY_HOME whose node-id file holds an id of its own (services/clock/node-id.ts
 * keeps `id\nhost:user\n`), so two machines in one test have two node ids. Its drainers are
 * SIGKILLed at teardown.
 */
export function machine(t: Owner, name: string, options: MachineOptions = {}): Machine {
  const dir = tempDir(`sk-m-${name}-`);
  const home = join(dir, 'home');
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const nodeId = createHash('sha256').update(`${name}:${randomBytes(8).toString('hex')}`).digest('hex').slice(0, 12);
  writeFileSync(join(home, 'node-id'), `${nodeId}\n${hostname()}:${userName(options.uid)}\n`);
  if (options.leaseMs !== undefined) {
    mkdirSync(join(dir, '.kittify'));
    writeFileSync(join(dir, '.kittify', 'plugins.json'), JSON.stringify({ plugins: [{ use: 'batch-sync', options: { leaseMs: options.leaseMs } }] }));
  }
  let userHome: string | undefined;
  if (options.uid !== undefined) {
    // The user owns its machine folder; git reads its config from a HOME of its own.
    chmodSync(dir, 0o755);
    userHome = join(dir, 'user-home');
    mkdirSync(userHome);
    execFileSync('chown', ['-R', `${options.uid}:${options.uid}`, dir]);
  }
  const owned = [dir];
  t.teardown(async () => {
    await killDrainers(home);
    for (const path of owned) rmSync(path, { recursive: true, force: true });
  });
  const env = (extra?: Record<string, string>) => ({ ...(userHome ? { HOME: userHome } : {}), ...extra });
  const m: Machine = {
    name, dir, home, nodeId, uid: options.uid,
    run: (args, cwd, extra, input) => exec(args, { cwd, home, env: env(extra), input, uid: options.uid }),
    ok: async (args, cwd, extra) => mustSucceed(args, await m.run(args, cwd, extra)),
    login: async (url) => mustSucceed(['auth', 'login'], await m.run(['auth', 'login', '--server', url, '--username', USER, '--password-stdin'], dir, undefined, `${PASSWORD}\n`)),
    own: (path) => { owned.push(path); },
  };
  return m;
}

export interface Checkout {
  repo: string;
  machine: Machine;
  run(...args: string[]): Promise<RunResult>;
  ok(...args: string[]): Promise<RunResult>;
  /** The identity in .kittify/config.yaml. */
  identity(): { uuid: string; slug: string; node_id?: string };
}

/** Wraps a folder as a checkout on `m`. */
export function checkoutAt(m: Machine, repo: string): Checkout {
  return {
    repo, machine: m,
    run: (...args) => m.run(args, repo),
    ok: (...args) => m.ok(args, repo),
    identity: () => (parse(readFileSync(join(repo, '.kittify', 'config.yaml'), 'utf8')) as { project: { uuid: string; slug: string; node_id?: string } }).project,
  };
}

/** A new git repository with `origin` on machine `m`, after `spec-kitty init` (unless `init: false`). */
export async function checkout(m: Machine, origin: string, options: { name?: string; init?: boolean } = {}): Promise<Checkout> {
  const repo = makeGitRepo({ origin, name: options.name });
  m.own(dirname(repo));
  const c = checkoutAt(m, repo);
  if (options.init !== false) await c.ok('init');
  return c;
}

/** `git clone` of `from` (its committed .kittify/config.yaml with it) on machine `m`, its origin set to `origin`. */
export function gitClone(m: Machine, from: Checkout, origin: string): Checkout {
  git(from.repo, 'add', '-A');
  git(from.repo, '-c', 'commit.gpgsign=false', 'commit', '-q', '-m', 'spec-kitty project');
  const parent = tempDir('sk-clone-');
  m.own(parent);
  const repo = join(parent, 'repo');
  execFileSync('git', ['clone', '-q', from.repo, repo], { stdio: 'ignore' });
  git(repo, 'remote', 'set-url', 'origin', origin);
  return checkoutAt(m, repo);
}

// ── Queues ────────────────────────────────────────────────────────────────────────────────────

export interface QueueRow {
  seq: number;
  state: string;
  attempts: number;
  last_error: string | null;
  envelope: Envelope;
}

/** Every event of the machine's queue, oldest first (`sync queue --json --limit 0`, which settles crashes first). */
export async function queueOf(m: Machine): Promise<QueueRow[]> {
  const r = await m.run(['sync', 'queue', '--json', '--limit', '0'], m.dir);
  try {
    return (JSON.parse(r.stdout) as { events: QueueRow[] }).events;
  } catch {
    throw new Error(`sync queue on ${m.name} exited ${r.code} without JSON: ${r.stderr}`);
  }
}

/**
 * Queues `n` events of checkout `c` as pending on its machine, as `n` lane moves would have
 * (seeded straight into queue.db: volume for a sync to be cut in the middle of).
 */
export async function seedEvents(c: Checkout, n: number): Promise<void> {
  const { uuid, slug } = c.identity();
  const envelopes = Array.from({ length: n }, (_, i) => {
    const wp = `WP${String(i % 90 + 1).padStart(2, '0')}`;
    return envelope({
      project_uuid: uuid, project_slug: slug, team_slug: TEAM, node_id: c.machine.nodeId, aggregate_id: wp,
      payload: { wp_id: wp, previous_status: 'planned', new_status: 'doing', changed_by: USER, feature_slug: '001-load' },
    });
  });
  await seed(c.machine.home, envelopes);
}

/** Writes the checkout's `.kittify/plugins.json` with the batch-sync lease of `sync now` run there. */
export function projectLease(c: Checkout, leaseMs: number): void {
  writeFileSync(join(c.repo, '.kittify', 'plugins.json'), JSON.stringify({ plugins: [{ use: 'batch-sync', options: { leaseMs } }] }));
}

export const countStates = (rows: readonly QueueRow[]) => {
  const counts: Record<string, number> = {};
  for (const r of rows) counts[r.state] = (counts[r.state] ?? 0) + 1;
  return counts;
};

/** Waits (bounded) for the machine's drainers to end by themselves; SIGKILLs what is left. True when none had to be killed. */
export async function drainersDone(m: Machine, timeoutMs = 20_000): Promise<boolean> {
  try {
    await waitFor(`${m.name}'s drainers to exit`, () => drainerPids(m.home).length === 0 && runningDrainer(m.home) === null, { timeoutMs, intervalMs: 100 });
    return true;
  } catch {
    await killDrainers(m.home);
    return false;
  }
}

export interface SyncReport { sent: number; duplicate: number; dead: number; left: number; error: string | null; logged_in: boolean }

/**
 * The final `sync now`: once the machine's drainers are done (a killed one's claim waited out,
 * `leaseMs`), `sync now --json` until it exits 0 with nothing left, at most `tries` times.
 * Returns every run's report (null: no JSON) and exit code.
 */
export async function finalSync(m: Machine, options: { leaseMs?: number; afterKills?: boolean; tries?: number; cwd?: string } = {}) {
  const clean = await drainersDone(m);
  // A SIGKILLed sender's claim holds its events until the lease runs out.
  if ((!clean || options.afterKills) && options.leaseMs) await sleep(options.leaseMs + 250);
  const runs: Array<{ code: number; report: SyncReport | null; stderr: string }> = [];
  for (let i = 0; i < (options.tries ?? 4); i++) {
    const r = await m.run(['sync', 'now', '--json'], options.cwd ?? m.dir);
    let report: SyncReport | null = null;
    try { report = JSON.parse(r.stdout) as SyncReport; } catch { /* stopped early, say */ }
    runs.push({ code: r.code, report, stderr: r.stderr });
    if (r.code === 0 && report?.left === 0) break;
    await sleep(Math.min(3000, 500 * 2 ** i));
  }
  // A sync now ends its own drain; a command it raced may have started a drainer meanwhile.
  await drainersDone(m);
  return runs;
}

// ── The audit ─────────────────────────────────────────────────────────────────────────────────

export interface Figures {
  /** Distinct events in the machines' queues (prepared excluded): what the CLIs emitted. */
  emitted: number;
  /** Events the hub holds for the team (rows read through the API). */
  onHub: number;
  /** Emitted, not on the hub. */
  lost: number;
  /** Extra copies on the hub (an event id read twice). */
  duplicated: number;
  /** On the hub, known to no queue. */
  unknown: number;
  /** Sent in a queue, yet not on the hub. */
  sentNotOnHub: number;
  /** Left in a queue: pending, prepared, held or dead. */
  left: number;
  dead: number;
  /** The SQLite hub's own table, read directly: rows and distinct event ids. */
  file?: { rows: number; distinct: number };
  states: Record<string, number>;
  /** The hub's envelopes by event id. */
  byId: Map<string, Envelope>;
  /** Every queue row of every machine. */
  rows: QueueRow[];
}

/**
 * The machines' queues against the hub. `also`: event ids that must be on the hub although no
 * queue holds them any more (rows a damaged queue could not give back, already sent).
 */
export async function audit(hub: Hub | HubReader, machines: readonly Machine[], also: Iterable<string> = []): Promise<Figures> {
  const reader = hub instanceof HubReader ? hub : hub.reader;
  const rows: QueueRow[] = [];
  for (const m of machines) rows.push(...await queueOf(m));
  const onHub = await reader.all();
  const counts = new Map<string, number>();
  const byId = new Map<string, Envelope>();
  for (const e of onHub) {
    counts.set(e.envelope.event_id, (counts.get(e.envelope.event_id) ?? 0) + 1);
    byId.set(e.envelope.event_id, e.envelope);
  }
  const live = rows.filter((r) => r.state !== 'prepared');
  const known = new Set([...live.map((r) => r.envelope.event_id), ...also]);
  const states = countStates(rows);
  const figures: Figures = {
    emitted: known.size,
    onHub: onHub.length,
    lost: [...known].filter((id) => !counts.has(id)).length,
    duplicated: [...counts.values()].reduce((n, c) => n + c - 1, 0),
    unknown: [...counts.keys()].filter((id) => !known.has(id)).length,
    sentNotOnHub: rows.filter((r) => r.state === 'sent' && !counts.has(r.envelope.event_id)).length,
    left: rows.length - (states.sent ?? 0),
    dead: states.dead ?? 0,
    states, byId, rows,
  };
  if (!(hub instanceof HubReader) && hub.sqlite) figures.file = sqliteCounts(hub.db);
  return figures;
}

export const describeFigures = (f: Figures) =>
  `emitted ${f.emitted}, on the hub ${f.onHub}, lost ${f.lost}, duplicated ${f.duplicated}, unknown to the queues ${f.unknown}, ` +
  `sent but not on the hub ${f.sentNotOnHub}, left in the queues ${f.left} (${JSON.stringify(f.states)})` +
  (f.file ? `; hub.db rows ${f.file.rows} (${f.file.distinct} distinct)` : '');

/** Prints the figures and asserts the invariants: nothing lost, nothing twice, the queues and the hub agree, nothing left. */
export function assertConsistent(t: ExecutionContext, label: string, f: Figures, expectEmitted?: number): void {
  t.log(`${label}: ${describeFigures(f)}`);
  if (expectEmitted !== undefined) t.is(f.emitted, expectEmitted, 'events emitted');
  t.is(f.lost, 0, 'lost');
  t.is(f.duplicated, 0, 'duplicated');
  t.is(f.unknown, 0, 'on the hub but unknown to the queues');
  t.is(f.sentNotOnHub, 0, 'sent locally but not on the hub');
  t.is(f.left, 0, 'left in the queues after the final sync now');
  t.is(f.onHub, f.emitted, 'the hub holds exactly what was emitted');
  if (f.file) t.deepEqual(f.file, { rows: f.onHub, distinct: f.onHub }, 'hub.db agrees with the API');
}

/** Waits (bounded) until the hub holds at least `n` events for the team. */
export async function hubHolds(hub: Hub | HubReader, n: number, timeoutMs = 20_000): Promise<number> {
  const reader = hub instanceof HubReader ? hub : hub.reader;
  return waitFor(`${n} events on the hub`, async () => {
    const count = (await reader.projects()).reduce((s, p) => s + p.event_count, 0);
    return count >= n ? count : 0;
  }, { timeoutMs, intervalMs: 150 });
}

/** True when uid 65534 can run the built CLI from here (the checkout's folders are readable). */
export function nobodyCanRun(): boolean {
  if (!isRoot) return false;
  try {
    execFileSync(process.execPath, [CLI, '--version'], { uid: NOBODY, gid: NOBODY, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Gives `path` (recursively) to `uid`. */
export function chownTree(path: string, uid: number): void {
  execFileSync('chown', ['-R', `${uid}:${uid}`, path]);
}

// ── A load balancer, for several hub processes on one database ────────────────────────────────

/**
 * A TCP balancer on 127.0.0.1 in front of hub processes, as a team running several would have
 * one: each new connection goes to the next upstream in turn, and to the one after it when that
 * one refuses (a dead process); a connection whose upstream dies is cut. `ports` may change.
 */
export async function balancer(t: Owner, ports: () => number[]): Promise<{ url: string; connections: () => Record<number, number> }> {
  const { createServer, connect } = await import('node:net');
  const sockets = new Set<import('node:net').Socket>();
  const counts: Record<number, number> = {};
  let next = 0;
  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.pause();
    const list = ports();
    const attempt = (tries: number) => {
      if (tries >= list.length) {
        client.destroy();
        return;
      }
      const port = list[next++ % list.length];
      const up = connect({ host: '127.0.0.1', port });
      sockets.add(up);
      up.once('connect', () => {
        counts[port] = (counts[port] ?? 0) + 1;
        up.removeAllListeners('error');
        up.on('error', () => client.destroy());
        client.on('error', () => up.destroy());
        up.on('close', () => { client.destroy(); sockets.delete(up); });
        client.on('close', () => up.destroy());
        client.pipe(up);
        up.pipe(client);
        client.resume();
      });
      up.once('error', () => {
        sockets.delete(up);
        attempt(tries + 1);
      });
    };
    attempt(0);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  t.teardown(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return { url: `http://127.0.0.1:${address.port}`, connections: () => ({ ...counts }) };
}

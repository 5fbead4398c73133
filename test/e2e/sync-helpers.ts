/**
 * Helpers for the sync runtime's end-to-end tests (issue 14): a real hub child with one user,
 * logged-in projects, the detached drainers a test's commands start (found and ended by the
 * test), the hub's events read back through its API, and a proxy that can hold a batch's answer.
 */
import type { ExecutionContext } from 'ava';
import { appendFileSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { runningDrainer } from '../../cli/sync/drainer-lock.js';
import type { Envelope } from '../../contract/index.js';
import { saveCredentials } from '../../services/auth/credentials-store.js';
import { credentialsFromToken } from '../../services/auth/refresh.js';
import { runCli, tempDir, type RunResult } from '../helpers/cli.js';
import { listen } from '../services/hub-client/fault-server.js';
import { serveHub } from '../helpers/hub.js';
import { openTestQueue } from '../services/queue/queue-fixtures.js';
import { initRepo, type QueuedRow, type WorkflowRepo } from './workflow-helpers.js';

export const PASSWORD = 'correct horse battery';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

/**
 * Polls `probe` until it returns something truthy, at most `timeoutMs` and `tries` times;
 * throws naming `what` (with the last value seen) otherwise.
 */
export async function waitFor<T>(what: string, probe: () => T | Promise<T>, { timeoutMs = 15_000, intervalMs = 50 } = {}): Promise<Truthy<T>> {
  const end = Date.now() + timeoutMs;
  const tries = Math.ceil(timeoutMs / intervalMs) + 1;
  let last: T | undefined;
  for (let i = 0; i < tries && Date.now() <= end; i++) {
    last = await probe();
    if (last) return last as Truthy<T>;
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
}

export interface HubEvent {
  seq: number;
  received_at: string;
  envelope: Envelope;
}

export interface LiveHub {
  url: string;
  /** Every event the hub holds for `uuid` (newest first), paged 500 at a time with `before`. */
  events(uuid: string): Promise<HubEvent[]>;
  /** The team's projects, with their event counts. */
  projects(): Promise<Array<{ project_uuid: string; event_count: number }>>;
  /** Sends a batch as ada, straight to the hub; its per-event results. */
  post(events: Envelope[]): Promise<Array<{ event_id: string; status: string }>>;
  stop(): Promise<void>;
}

/** A real hub (`spec-kitty hub serve --port 0`) on a fresh hub.db with one user, ada of team acme; stopped at teardown. */
export async function liveHub(t: ExecutionContext): Promise<LiveHub> {
  const dir = tempDir('sk-synchub-');
  const opts = { cwd: dir, home: join(dir, 'home') };
  const add = await runCli(['hub', 'user', 'add', 'ada', '--team', 'acme', '--password-stdin'], { ...opts, input: PASSWORD });
  if (add.code !== 0) throw new Error(`hub user add: ${add.stderr}`);
  const hub = await serveHub([], opts);
  t.teardown(hub.stop);
  let token: Promise<string> | undefined;
  const access = () => (token ??= fetch(`${hub.url}/api/v1/token/`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'ada', password: PASSWORD }),
  }).then(async (r) => {
    if (!r.ok) throw new Error(`hub login: ${r.status} ${await r.text()}`);
    return ((await r.json()) as { access: string }).access;
  }));
  const get = async <T>(path: string): Promise<T> => {
    const r = await fetch(`${hub.url}${path}`, { headers: { authorization: `Bearer ${await access()}` } });
    if (!r.ok) throw new Error(`GET ${path}: ${r.status} ${await r.text()}`);
    return (await r.json()) as T;
  };
  return {
    url: hub.url,
    stop: hub.stop,
    async events(uuid) {
      const all: HubEvent[] = [];
      let before: number | null = null;
      for (let page = 0; page < 200; page++) {
        const query: string = `limit=500${before === null ? '' : `&before=${before}`}`;
        const body: { events: HubEvent[]; next_before: number | null } = await get<{ events: HubEvent[]; next_before: number | null }>(`/api/v1/projects/${uuid}/events/?${query}`);
        all.push(...body.events);
        if (body.next_before === null) return all;
        before = body.next_before;
      }
      throw new Error('more than 200 pages of events');
    },
    async post(events) {
      const r = await fetch(`${hub.url}/api/v1/events/batch/`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await access()}` }, body: JSON.stringify({ events }),
      });
      if (!r.ok) throw new Error(`POST batch: ${r.status} ${await r.text()}`);
      return ((await r.json()) as { results: Array<{ event_id: string; status: string }> }).results;
    },
    async projects() {
      return (await get<{ projects: Array<{ project_uuid: string; event_count: number }> }>('/api/v1/projects/')).projects;
    },
  };
}

/** How often each event id occurs: the hub must hold every event exactly once. */
export function countIds(events: readonly HubEvent[]): { total: number; distinct: number; repeated: string[] } {
  const seen = new Map<string, number>();
  for (const e of events) seen.set(e.envelope.event_id, (seen.get(e.envelope.event_id) ?? 0) + 1);
  return { total: events.length, distinct: seen.size, repeated: [...seen].filter(([, n]) => n > 1).map(([id]) => id) };
}

/**
 * The pids of the `spec-kitty sync drain` processes running on `home` (read from /proc: their
 * command line and SPEC_KITTY_HOME), including one that has not taken the lock yet. Off Linux,
 * the lock's owner record.
 */
export function drainerPids(home: string): number[] {
  if (!existsSync('/proc/self/environ')) {
    const pid = runningDrainer(home);
    return pid ? [pid] : [];
  }
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      const at = argv.indexOf('sync');
      if (at < 0 || argv[at + 1] !== 'drain') continue;
      if (readFileSync(`/proc/${name}/environ`, 'utf8').split('\0').includes(`SPEC_KITTY_HOME=${home}`)) pids.push(Number(name));
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return pids;
}

/** Waits (bounded) until no drainer runs on `home`; false if one is still running at the end. */
export async function drainersExited(home: string, timeoutMs = 15_000): Promise<boolean> {
  try {
    await waitFor('the drainers to exit', () => drainerPids(home).length === 0, { timeoutMs, intervalMs: 50 });
    return true;
  } catch {
    return false;
  }
}

/** SIGKILLs every drainer of `home` until none is left (bounded). */
export async function killDrainers(home: string): Promise<void> {
  for (let round = 0; round < 50; round++) {
    const pids = drainerPids(home);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Exited meanwhile.
      }
    }
    await sleep(40);
  }
}

/** At teardown, ends every detached drainer the test's commands started on `home`. */
export function reapDrainers(t: ExecutionContext, home: string): void {
  t.teardown(() => killDrainers(home));
}

/** `$SPEC_KITTY_HOME/logs/drain.log` as lines; none when there is no file. */
export function drainLog(home: string): string[] {
  const file = join(home, 'logs', 'drain.log');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter((line) => line.trim() !== '');
}

/** The totals of the drainers' summary lines (`sent N, duplicate N, dead N, left N`). */
export function drainTotals(lines: readonly string[]) {
  const totals = { rounds: 0, sent: 0, duplicate: 0, dead: 0, pids: new Set<number>() };
  for (const line of lines) {
    const m = /\[(\d+)\] sent (\d+), duplicate (\d+), dead (\d+), left (\d+)/.exec(line);
    if (!m) continue;
    totals.rounds += 1;
    totals.pids.add(Number(m[1]));
    totals.sent += Number(m[2]);
    totals.duplicate += Number(m[3]);
    totals.dead += Number(m[4]);
  }
  return totals;
}

/** A project (git repo with an origin, `spec-kitty init`) whose detached drainers are ended at teardown. */
export async function project(t: ExecutionContext): Promise<WorkflowRepo> {
  const p = await initRepo();
  reapDrainers(t, p.home);
  return p;
}

/** `spec-kitty auth login` as ada at `url`. */
export async function login(p: { repo: string; home: string }, url: string): Promise<RunResult> {
  const r = await runCli(['auth', 'login', '--server', url, '--username', 'ada', '--password-stdin'], { cwd: p.repo, home: p.home, input: `${PASSWORD}\n` });
  if (r.code !== 0) throw new Error(`auth login exited ${r.code}: ${r.stderr}`);
  return r;
}

/**
 * Stores a login at `server` as `auth login` would, without asking it (for servers that are
 * not hubs: a black hole, a fault server). The access token is good for `accessLifetimeS`.
 */
export async function storeLogin(home: string, server: string, accessLifetimeS = 900): Promise<void> {
  const answer = { access: 'test-access-token', refresh: 'test-refresh-token', access_lifetime: accessLifetimeS, refresh_lifetime: 86_400, team_slug: 'acme' };
  await saveCredentials(home, credentialsFromToken(answer, { hub_url: server, username: 'ada' }, Date.now()));
}

/** Appends a `sync:` section to the project's .kittify/config.yaml. */
export function syncConfig(p: WorkflowRepo, lines: string): void {
  appendFileSync(join(p.repo, '.kittify', 'config.yaml'), `sync:\n${lines.replace(/^/gm, '  ')}\n`);
}

/** Writes the project's .kittify/plugins.json. */
export function projectPlugins(p: WorkflowRepo, plugins: unknown[]): void {
  writeFileSync(join(p.repo, '.kittify', 'plugins.json'), JSON.stringify({ plugins }));
}

/** Runs a command with sync off: events queue and stay pending (for setting up a test). */
export async function offline(p: WorkflowRepo, ...args: string[]): Promise<RunResult> {
  const r = await runCli(args, { cwd: p.repo, home: p.home, env: { SPEC_KITTY_SYNC: 'off' } });
  if (r.code !== 0) throw new Error(`spec-kitty ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

/** Puts envelopes in the queue of `home` as pending, as commands would have. */
export async function seed(home: string, envelopes: readonly Envelope[]): Promise<void> {
  const { queue } = openTestQueue(home);
  try {
    await Promise.all(envelopes.map((e) => queue.enqueue(e, 'pending')));
  } finally {
    queue.close();
  }
}

/** Counts of queue states, from `sync queue --json`. */
export function states(rows: readonly QueuedRow[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of rows) counts[r.state] = (counts[r.state] ?? 0) + 1;
  return counts;
}

/**
 * A proxy in front of `target` (a real hub): every request is forwarded as it came. While
 * `holdBatch` is n, the n-th events batch is forwarded (the hub ingests it) but its answer never
 * comes back: `held` resolves then. `passThrough()` answers everything from then on.
 */
export async function holdingProxy(t: ExecutionContext, target: string, holdBatch: number) {
  let batches = 0;
  let holding = true;
  let onHeld: () => void = () => {};
  const held = new Promise<void>((resolve) => { onHeld = resolve; });
  const to = new URL(target);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const isBatch = req.method === 'POST' && req.url === '/api/v1/events/batch/';
      const n = isBatch ? ++batches : 0;
      const headers = { ...req.headers, host: to.host };
      delete headers.connection;
      const up = httpRequest({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers }, (answer) => {
        const body: Buffer[] = [];
        answer.on('data', (c: Buffer) => body.push(c));
        answer.on('end', () => {
          if (holding && n === holdBatch) {
            onHeld();
            return; // the hub has it; the sender never learns
          }
          const out = { ...answer.headers };
          delete out['transfer-encoding'];
          delete out.connection;
          const bytes = Buffer.concat(body);
          res.writeHead(answer.statusCode ?? 502, { ...out, 'content-length': String(bytes.length) });
          res.end(bytes);
        });
      });
      up.on('error', () => { res.destroy(); });
      up.end(Buffer.concat(chunks));
    });
  });
  const url = await listen(t, server);
  return { url, held, batches: () => batches, passThrough: () => { holding = false; } };
}

/**
 * A fake hub answering every request with `answer(path, events)` (null: never answers); what it
 * received is kept (`requests`), batch bodies gunzipped.
 */
export async function recordingServer(t: ExecutionContext, answer: (path: string, events: Envelope[]) => { status: number; body?: unknown; headers?: Record<string, string> } | null) {
  const { gunzipSync } = await import('node:zlib');
  const requests: Array<{ method: string; path: string; events: Envelope[] }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let events: Envelope[] = [];
      const raw = Buffer.concat(chunks);
      if (raw.length > 0) {
        try {
          const text = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
          events = (JSON.parse(text) as { events?: Envelope[] }).events ?? [];
        } catch {
          // Not a batch.
        }
      }
      const path = req.url ?? '';
      requests.push({ method: req.method ?? '', path, events });
      const a = answer(path, events);
      if (a === null) return;
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
      res.end(a.body === undefined ? '' : JSON.stringify(a.body));
    });
  });
  const url = await listen(t, server);
  return { url, requests };
}

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { IngestEnvelope } from '../contract/index.js';
import { spawn, spawnSync } from 'node:child_process';
import { CLI } from './measure.js';
import { newUlid } from '../lib/ulid.js';

// Hub batch ingest (issue 12, Bench): 1000-event gzip batches over HTTP, from concurrent clients,
// into a hub listening on 127.0.0.1. Budget ≥ 20,000 events/s, goal 50,000.

export const HUB_INGEST_BUDGET = 20_000;
export const HUB_INGEST_GOAL = 50_000;

export interface HubIngestResult {
  backend: string;
  eventsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  batches: number;
  batchSize: number;
  clients: number;
  /**
   * CPU the hub process spent per batch (all its threads), when the OS tells (Linux): unlike
   * events/s, it hardly moves when other work shares the machine.
   */
  hubCpuMsPerBatch: number | null;
}

export interface HubIngestOptions {
  batches?: number;
  batchSize?: number;
  clients?: number;
}

const LANES = ['planned', 'doing', 'for_review', 'done'] as const;
const PASSWORD = 'bench password';

/** Valid, distinct envelopes (fresh ULIDs) as a 2.x client sends them, over a few projects, features and WPs. */
function batchEnvelopes(team: string, batch: number, size: number): IngestEnvelope[] {
  return Array.from({ length: size }, (_, i) => {
    const n = batch * size + i;
    const wp = `WP${String(n % 100).padStart(2, '0')}`;
    return {
      event_id: newUlid(),
      event_type: 'WPStatusChanged',
      aggregate_id: wp,
      aggregate_type: 'WorkPackage',
      payload: { wp_id: wp, previous_status: LANES[n % 3], new_status: LANES[(n % 3) + 1], changed_by: 'bench', feature_slug: `${String(n % 7).padStart(3, '0')}-bench` },
      timestamp: new Date(Date.UTC(2026, 0, 1) + n).toISOString(),
      node_id: (0xa0000000000 + (n % 4)).toString(16).padStart(12, '0'),
      lamport_clock: n + 1,
      causation_id: null,
      correlation_id: newUlid(),
      team_slug: team,
      project_uuid: `6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4${n % 3}`,
      project_slug: `bench-${n % 3}`,
    };
  });
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

/** User plus system CPU of a process so far, from /proc (clock ticks of 10 ms); null elsewhere. */
function processCpuMs(pid: number | undefined): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

/** `spec-kitty hub serve --port 0 --db <db>` as its own process, as it runs for users; its URL once it listens. */
async function startHubProcess(db: string, home: string): Promise<{ url: string; cpuMs(): number | null; stop(): Promise<void> }> {
  const env = { ...process.env, SPEC_KITTY_HOME: home, NO_COLOR: '1' };
  const child = spawn(process.execPath, [CLI, 'hub', 'serve', '--port', '0', '--db', db], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.stderr.on('data', (d) => { out += d; });
    child.once('exit', (code) => reject(new Error(`the hub exited (${code}): ${out}`)));
  });
  return { url, cpuMs: () => processCpuMs(child.pid), stop: async () => { child.kill('SIGTERM'); await exited; } };
}

/**
 * Starts a hub process on 127.0.0.1:0 over `db` with one user, posts `batches` pre-built gzip
 * batches of `batchSize` events from `clients` concurrent clients, and times it. Every event
 * must answer `success`, or the bench fails. The hub runs in a process of its own, so the
 * clients' work here does not count against it.
 */
export async function benchHubIngestOn(backend: string, db: string, options: HubIngestOptions = {}): Promise<HubIngestResult> {
  const { batches = 50, batchSize = 1000, clients = 4 } = options;
  // A team of its own per run: a shared PostgreSQL database may hold earlier runs' data.
  const team = `bench-${newUlid().toLowerCase().slice(-10)}`;
  const home = mkdtempSync(join(tmpdir(), 'sk-bench-hub-home-'));
  const add = spawnSync(process.execPath, [CLI, 'hub', 'user', 'add', team, '--team', team, '--password-stdin', '--db', db], {
    env: { ...process.env, SPEC_KITTY_HOME: home }, input: PASSWORD, encoding: 'utf8',
  });
  if (add.status !== 0) throw new Error(`bench user: ${add.stderr}`);
  const hub = await startHubProcess(db, home);
  try {
    const login = await fetch(`${hub.url}/api/v1/token/`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: team, password: PASSWORD }),
    });
    if (login.status !== 200) throw new Error(`bench login: ${login.status} ${await login.text()}`);
    const { access } = (await login.json()) as { access: string };
    const headers = { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: `Bearer ${access}` };

    const post = async (body: Buffer, expected: number): Promise<number> => {
      const started = performance.now();
      const response = await fetch(`${hub.url}/api/v1/events/batch/`, { method: 'POST', headers, body });
      const text = await response.text();
      const ms = performance.now() - started;
      if (response.status !== 200) throw new Error(`bench batch: ${response.status} ${text.slice(0, 300)}`);
      const { results } = JSON.parse(text) as { results: Array<{ status: string; error_message?: string }> };
      const bad = results.find((r) => r.status !== 'success');
      if (results.length !== expected || bad) throw new Error(`bench batch: ${results.length} results for ${expected} events${bad ? `; one ${bad.status}: ${bad.error_message}` : ''}`);
      return ms;
    };

    // Built before timing: the figure is the hub's, not the client's JSON and gzip.
    const bodies = Array.from({ length: batches }, (_, b) => gzipSync(JSON.stringify({ events: batchEnvelopes(team, b, batchSize) })));
    // Warm up: connections, the validator's compile, the JIT, the statements (events of their own).
    for (let i = 0; i < clients; i++) await post(gzipSync(JSON.stringify({ events: batchEnvelopes(team, batches + i, 100) })), 100);

    const latencies: number[] = [];
    let next = 0;
    const cpuBefore = hub.cpuMs();
    const started = performance.now();
    await Promise.all(Array.from({ length: clients }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++];
        latencies.push(await post(body, batchSize));
      }
    }));
    const seconds = (performance.now() - started) / 1000;
    const cpuAfter = hub.cpuMs();
    latencies.sort((a, b) => a - b);
    return {
      backend, eventsPerSecond: (batches * batchSize) / seconds,
      p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), batches, batchSize, clients,
      hubCpuMsPerBatch: cpuBefore === null || cpuAfter === null ? null : (cpuAfter - cpuBefore) / batches,
    };
  } finally {
    await hub.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

/** Into a temp SQLite file, deleted at the end. */
export async function benchHubIngestSqlite(options: HubIngestOptions = {}): Promise<HubIngestResult> {
  const dir = mkdtempSync(join(tmpdir(), 'sk-bench-hub-'));
  try {
    return await benchHubIngestOn('SQLite', join(dir, 'hub.db'), options);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Into $SPEC_KITTY_TEST_PG, when it is set and the hub's storage opens postgres:// URLs; otherwise why not. */
export async function benchHubIngestPostgres(options: HubIngestOptions = {}): Promise<HubIngestResult | { skipped: string }> {
  const url = process.env.SPEC_KITTY_TEST_PG;
  if (!url) return { skipped: 'SPEC_KITTY_TEST_PG is not set' };
  return benchHubIngestOn('PostgreSQL', url, options);
}

/** The PostgreSQL line of `npm run bench`: the figure (info only), why it was skipped, or how it failed. */
export async function hubIngestPostgresLine(options: HubIngestOptions = {}): Promise<string> {
  try {
    const pg = await benchHubIngestPostgres(options);
    return 'skipped' in pg ? `skip hub batch ingest into PostgreSQL: ${pg.skipped}` : formatHubIngest(pg, false);
  } catch (error) {
    return `fail hub batch ingest into PostgreSQL (info only, not a budget): ${(error as Error).message}`;
  }
}

export function formatHubIngest(r: HubIngestResult, budget = true): string {
  const ok = r.eventsPerSecond >= HUB_INGEST_BUDGET;
  const mark = budget ? (ok ? 'ok  ' : 'OVER') : 'info';
  return `${mark} hub batch ingest (${r.batchSize}-event gzip batches over HTTP into ${r.backend}, ${r.clients} clients, ${r.batches} batches): ${Math.round(r.eventsPerSecond)} events/s (budget ≥ ${HUB_INGEST_BUDGET}, goal ${HUB_INGEST_GOAL}${budget ? '' : '; info only'}); batch latency p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms${r.hubCpuMsPerBatch === null ? '' : `; hub CPU ${r.hubCpuMsPerBatch.toFixed(1)} ms a batch`}`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await benchHubIngestSqlite();
  console.log(formatHubIngest(r));
  console.log(await hubIngestPostgresLine());
}

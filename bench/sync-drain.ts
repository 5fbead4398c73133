import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { closeServices, createServices } from '../cli/composition-root.js';
import type { Envelope } from '../contract/index.js';
import { TOKENS } from '../core/tokens.js';
import { newUlid } from '../lib/ulid.js';
import { CLI } from './measure.js';
import { cliEnv, cpuMs, logIn, startHub } from './sync-setup.js';

export const DRAIN_BUDGET_S = 10;
export const DRAIN_GOAL_S = 4;

export interface DrainResult {
  events: number;
  seconds: number;
  seedSeconds: number;
  summary: { sent: number; duplicate: number; dead: number; left: number; error: string | null };
  onHub: number;
  /** CPU time spent meanwhile by `sync now` and by the hub, s: their sum near `seconds` means one waits while the other works. */
  cpu: { client: number; hub: number };
}

const PROJECT = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const LANES = ['planned', 'doing', 'for_review', 'done'] as const;

/** A valid, distinct WPStatusChanged envelope of one project, as the CLI queues them. */
function envelope(n: number, team: string): Envelope {
  const wp = `WP${String(n % 100).padStart(2, '0')}`;
  return {
    event_id: newUlid(), event_type: 'WPStatusChanged', aggregate_id: wp, aggregate_type: 'WorkPackage',
    payload: { wp_id: wp, previous_status: LANES[n % 3], new_status: LANES[(n % 3) + 1], changed_by: 'bench', feature_slug: `${String(n % 7).padStart(3, '0')}-bench` },
    timestamp: new Date(Date.UTC(2026, 0, 1) + n).toISOString(), node_id: '0123456789ab', lamport_clock: n + 1,
    causation_id: null, correlation_id: newUlid(), team_slug: team, project_uuid: PROJECT, project_slug: 'bench',
  };
}

/** Queues `events` pending events in `home`'s queue.db through the queue service (group commit, many in flight). */
async function seed(home: string, events: number, team: string): Promise<void> {
  const container = createServices({ home, cwd: home });
  try {
    const queue = container.get(TOKENS.PersistQueue);
    let next = 0;
    await Promise.all(Array.from({ length: 512 }, async () => {
      while (next < events) await queue.enqueue(envelope(next++, team), 'pending');
    }));
    const pending = await queue.countPending();
    if (pending !== events) throw new Error(`seeded ${pending} pending events, not ${events}`);
  } finally {
    closeServices(container);
  }
}

/**
 * Draining a backlog: `events` pending events (one project) in a logged-in home, sent by the real
 * `spec-kitty sync now --json` to a fresh local hub (SQLite, its own process). Timed from the
 * command's start to its exit; it must report left 0, and the hub's file must then hold them all.
 */
export async function benchDrain(work: string, events = 100_000): Promise<DrainResult> {
  const home = join(work, 'drain-home');
  const db = join(work, 'drain-hub.db');
  // SK_BENCH_CPU_PROF=<dir>: CPU profiles of `sync now` and of its hub, written there (for finding where the time goes).
  const prof = process.env.SK_BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SK_BENCH_CPU_PROF}`] : [];
  const hub = await startHub(db, join(work, 'drain-hub-home'), 'drain', prof);
  try {
    logIn(home, hub.url, 'drain');
    const seeded = performance.now();
    await seed(home, events, 'drain');
    const seedSeconds = (performance.now() - seeded) / 1000;

    const hubCpu0 = cpuMs(hub.pid);
    const childCpu0 = cpuMs('self', 'children');
    const started = performance.now();
    const child = spawn(process.execPath, [...prof, CLI, 'sync', 'now', '--json'],
      { cwd: home, env: cliEnv(home), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    await new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const seconds = (performance.now() - started) / 1000;
    const cpu = { client: (cpuMs('self', 'children') - childCpu0) / 1000, hub: (cpuMs(hub.pid) - hubCpu0) / 1000 };
    let summary: DrainResult['summary'];
    try {
      summary = JSON.parse(out) as DrainResult['summary'];
    } catch {
      throw new Error(`sync now --json printed no summary: ${out.slice(0, 500)}`);
    }
    const hubDb = new Database(db, { readonly: true });
    try {
      const row = hubDb.prepare('SELECT count(DISTINCT e.event_id) AS n FROM events e JOIN teams t ON t.id = e.team_id WHERE t.slug = ?').get('drain') as { n: number };
      return { events, seconds, seedSeconds, summary, onHub: row.n, cpu };
    } finally {
      hubDb.close();
    }
  } finally {
    await hub.stop();
  }
}

export const drainOk = (r: DrainResult) => r.seconds <= DRAIN_BUDGET_S && r.summary.left === 0 && r.onHub === r.events;

export function formatDrain(r: DrainResult): string {
  const s = r.summary;
  return `${drainOk(r) ? 'ok  ' : 'OVER'} sync now --json: ${r.events} queued events drained to a local hub (SQLite, own process): ${r.seconds.toFixed(2)} s, ${Math.round(r.events / r.seconds)} events/s (budget ≤ ${DRAIN_BUDGET_S} s, goal ≤ ${DRAIN_GOAL_S} s); ` +
    `sent ${s.sent}, duplicate ${s.duplicate}, dead ${s.dead}, left ${s.left}${s.error ? `, last error: ${s.error}` : ''}; on the hub: ${r.onHub}; CPU meanwhile: sync now ${r.cpu.client.toFixed(2)} s, hub ${r.cpu.hub.toFixed(2)} s; seeded in ${r.seedSeconds.toFixed(1)} s (untimed)`;
}

import { spawn } from 'node:child_process';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { CLI } from './measure.js';
import { PASSWORD, cliEnv, settleDrainers } from './sync-setup.js';

export const ARRIVAL_BUDGET_MS = 1000;

export interface ArrivalResult {
  runs: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** How long each run's drainer lived after the command's exit (median). */
  drainerMs: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

/** A WebSocket to the hub as `username`: the hub pushes every event of the team it stores. */
async function hubSocket(url: string, username: string): Promise<WebSocket> {
  const post = async (path: string, body: unknown, token?: string) => {
    const r = await fetch(`${url}${path}`, {
      method: 'POST', body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${await r.text()}`);
    return r.json() as Promise<Record<string, string>>;
  };
  const { access } = await post('/api/v1/token/', { username, password: PASSWORD });
  const { ws_token } = await post('/api/v1/ws-token/', {}, access);
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/ws/v1/events/`, { headers: { authorization: `Bearer ${ws_token}` } });
  // Ready once the snapshot has come: from then on every stored event is pushed.
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('message', () => resolve());
  });
  return socket;
}

/**
 * The time from `implement WP01`'s exit (logged in, live hub) until the hub pushes its event on
 * its WebSocket, i.e. until the event is stored: the detached drainer's start, claim and batch.
 * The bench's event loop stays free (the command is spawned, not run synchronously), so both
 * instants are taken as they happen. Each run's drainer is waited for before the next run.
 */
export async function benchArrival(work: string, template: string, home: string, hubUrl: string, username: string, runs = 25): Promise<ArrivalResult> {
  const socket = await hubSocket(hubUrl, username);
  let arrived: ((at: number, event: Record<string, unknown>) => void) | null = null;
  socket.on('message', (data) => {
    const at = performance.now();
    const message = JSON.parse(String(data)) as Record<string, unknown>;
    if (message.type === 'event' && message.event_type === 'WPStatusChanged') arrived?.(at, message);
  });
  const delays: number[] = [];
  const drainerLife: number[] = [];
  try {
    for (let i = -1; i < runs; i++) { // run -1 warms up
      const cwd = join(work, `arrival-${i + 1}`);
      cpSync(template, cwd, { recursive: true });
      const onHub = new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the event did not reach the hub within 30 s')), 30_000);
        arrived = (at) => { clearTimeout(timer); resolve(at); };
      });
      const child = spawn(process.execPath, [CLI, 'implement', 'WP01'], { cwd, env: cliEnv(home), stdio: 'ignore' });
      const exitedAt = await new Promise<number>((resolve, reject) => child.once('exit', (code) =>
        code === 0 ? resolve(performance.now()) : reject(new Error(`implement WP01 exited ${code}`))));
      const at = await onHub;
      arrived = null;
      await settleDrainers(home);
      if (i < 0) continue;
      delays.push(at - exitedAt);
      drainerLife.push(performance.now() - exitedAt);
    }
  } finally {
    socket.terminate();
  }
  delays.sort((a, b) => a - b);
  drainerLife.sort((a, b) => a - b);
  return { runs, p50Ms: percentile(delays, 50), p95Ms: percentile(delays, 95), maxMs: delays[delays.length - 1], drainerMs: percentile(drainerLife, 50) };
}

export function formatArrival(r: ArrivalResult): string {
  const ok = r.p95Ms <= ARRIVAL_BUDGET_MS;
  return `${ok ? 'ok  ' : 'OVER'} command exit → event on the hub (implement WP01 logged in, live local hub, pushed on its WebSocket; ${r.runs} runs): p50 ${r.p50Ms.toFixed(0)} ms, p95 ${r.p95Ms.toFixed(0)} ms (budget p95 ≤ ${ARRIVAL_BUDGET_MS} ms); max ${r.maxMs.toFixed(0)} ms; the drainer exits a median ${r.drainerMs.toFixed(0)} ms after the command`;
}

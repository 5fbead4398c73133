import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, median, wallMs } from './measure.js';
import { cliEnv, cpuMs, settleDrainers } from './sync-setup.js';

/** The bench's homes: logged out, logged in to the live hub, logged in to the black hole. */
export interface Homes {
  out: string;
  live: string;
  hole: string;
}

export const MODES = ['out', 'live', 'hole'] as const;
type Mode = (typeof MODES)[number];

export interface LoggedInFigure {
  mode: 'live' | 'hole';
  ms: number;
  /** Median of the per-iteration ratios to the `node -e 0` run of the same iteration. */
  ratio: number;
  /** Median of the per-iteration differences from the logged-out run of the same iteration. */
  diffMs: number;
  ok: boolean;
}

export interface ImplementSyncResult {
  runs: number;
  baseMs: number;
  outMs: number;
  /** The logged-out run's own paired ratio, for comparison (its budget is bench/implement.ts's). */
  outRatio: number;
  figures: LoggedInFigure[];
  /** Drainers found after the runs of each mode, and what waiting for them cost (untimed). */
  drainers: Record<Mode, { started: number; medianSettleMs: number; forced: number }>;
  /** Mean CPU time (user + system) of the command's own process: machine load inflates wall time, not this. */
  cpuMs: Record<Mode, number>;
}

export const RATIO_BUDGET = 1.6;
export const DIFF_BUDGET_MS = 50;

/**
 * `implement WP01` logged out, logged in to a live hub and logged in to a black hole, interleaved
 * with `node -e 0` (the order of the three rotates each iteration), each on a fresh copy of the
 * template. Between runs, untimed: the live run's drainer is waited for until it has sent the
 * event and exited; the black hole's drainer is stopped (SIGTERM) and waited for. So every
 * logged-in run starts its own drainer, as a user's first command after a quiet spell does,
 * and no drainer runs during a timed run.
 */
export async function benchImplementSync(work: string, template: string, homes: Homes, runs = 21): Promise<ImplementSyncResult> {
  const times: Record<Mode | 'base', number[]> = { base: [], out: [], live: [], hole: [] };
  const cpu: Record<Mode, number[]> = { out: [], live: [], hole: [] };
  const settle: Record<Mode, { started: number; ms: number[]; forced: number }> = {
    out: { started: 0, ms: [], forced: 0 }, live: { started: 0, ms: [], forced: 0 }, hole: { started: 0, ms: [], forced: 0 },
  };
  let copies = 0;
  const once = async (mode: Mode, timed: boolean) => {
    const cwd = join(work, `impl-${copies++}`);
    cpSync(template, cwd, { recursive: true });
    const cpu0 = cpuMs('self', 'children');
    const ms = wallMs([CLI, 'implement', 'WP01'], { cwd, env: cliEnv(homes[mode]) });
    const cpuUsed = cpuMs('self', 'children') - cpu0;
    const s = await settleDrainers(homes[mode], { kill: mode === 'hole' });
    if (!timed) return;
    times[mode].push(ms);
    cpu[mode].push(cpuUsed);
    settle[mode].started += s.found;
    settle[mode].forced += s.forced;
    settle[mode].ms.push(s.ms);
  };
  for (const mode of MODES) await once(mode, false); // warm each home's queue and the code cache
  for (let i = 0; i < runs; i++) {
    times.base.push(wallMs(['-e', '0']));
    for (let k = 0; k < MODES.length; k++) await once(MODES[(i + k) % MODES.length], true);
  }
  const figures = (['live', 'hole'] as const).map((mode): LoggedInFigure => {
    const ratio = median(times[mode].map((t, i) => t / times.base[i]));
    const diffMs = median(times[mode].map((t, i) => t - times.out[i]));
    return { mode, ms: median(times[mode]), ratio, diffMs, ok: ratio <= RATIO_BUDGET && diffMs <= DIFF_BUDGET_MS };
  });
  const drainers = Object.fromEntries(MODES.map((m) => [m, { started: settle[m].started, medianSettleMs: median(settle[m].ms), forced: settle[m].forced }])) as ImplementSyncResult['drainers'];
  const outRatio = median(times.out.map((t, i) => t / times.base[i]));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const cpuMean = Object.fromEntries(MODES.map((m) => [m, mean(cpu[m])])) as Record<Mode, number>;
  return { runs, baseMs: median(times.base), outMs: median(times.out), outRatio, figures, drainers, cpuMs: cpuMean };
}

const NAMES = { live: 'a live local hub', hole: 'a black-holed hub (accepts TCP, never answers)' };

export function formatImplementSync(r: ImplementSyncResult): string[] {
  const lines = r.figures.map((f) =>
    `${f.ok ? 'ok  ' : 'OVER'} spec-kitty implement WP01 logged in, ${NAMES[f.mode]}: median ${f.ms.toFixed(1)} ms → paired ratio to node -e 0 ${f.ratio.toFixed(2)} (budget ≤ ${RATIO_BUDGET}), paired difference from logged out ${f.diffMs >= 0 ? '+' : ''}${f.diffMs.toFixed(1)} ms (budget ≤ ${DIFF_BUDGET_MS} ms)`);
  const d = r.drainers;
  lines.push(`info   (same ${r.runs} interleaved iterations: node -e 0 ${r.baseMs.toFixed(1)} ms, logged out ${r.outMs.toFixed(1)} ms, paired ratio ${r.outRatio.toFixed(2)}; drainers started: live ${d.live.started}, black hole ${d.hole.started}, logged out ${d.out.started}; ` +
    `untimed between runs, each live drainer was waited for until it exited (median ${d.live.medianSettleMs.toFixed(0)} ms${d.live.forced ? `, ${d.live.forced} killed after 15 s` : ''}), each black-hole drainer was sent SIGTERM and waited for (median ${d.hole.medianSettleMs.toFixed(0)} ms${d.hole.forced ? `, ${d.hole.forced} SIGKILLed` : ''}); ` +
    `mean CPU of the command: logged out ${r.cpuMs.out.toFixed(0)} ms, live ${r.cpuMs.live.toFixed(0)} ms, black hole ${r.cpuMs.hole.toFixed(0)} ms)`);
  return lines;
}

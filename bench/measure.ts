import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../dist/spec-kitty.cjs', import.meta.url));

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Wall time of one child process, in ms; fails loudly if the command fails. */
export function wallMs(args: string[], options: SpawnSyncOptions = {}): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], ...options });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

export interface Ratio {
  name: string;
  candidateMs: number;
  baselineMs: number;
  /** Median of the per-pair ratios: each run against the `node -e 0` run just before it. */
  ratio: number;
  /** Best run against best run: what the code costs with the machine's noise taken out. */
  bestRatio: number;
  budget: number;
  ok: boolean;
}

/**
 * Runs candidate and `node -e 0` alternately so both see the same machine load. The budget is
 * checked on the median of the per-pair ratios: a burst of load on a shared machine slows a
 * pair together, where a ratio of two medians can pair a slow baseline with a fast candidate.
 */
export function compareToBareNode(name: string, budget: number, runs: number, candidate: (i: number) => number): Ratio {
  const base: number[] = [];
  const cand: number[] = [];
  for (let i = 0; i < runs; i++) {
    base.push(wallMs(['-e', '0']));
    cand.push(candidate(i));
  }
  const baselineMs = median(base);
  const candidateMs = median(cand);
  const ratio = median(cand.map((c, i) => c / base[i]));
  const bestRatio = Math.min(...cand) / Math.min(...base);
  return { name, candidateMs, baselineMs, ratio, bestRatio, budget, ok: ratio <= budget };
}

export function formatRatio(r: Ratio): string {
  return `${r.ok ? 'ok  ' : 'OVER'} ${r.name}: median ${r.candidateMs.toFixed(1)} ms vs node -e 0 ${r.baselineMs.toFixed(1)} ms → median of paired ratios ${r.ratio.toFixed(2)} (budget ≤ ${r.budget}; best-run ratio ${r.bestRatio.toFixed(2)})`;
}

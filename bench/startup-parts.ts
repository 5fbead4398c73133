import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI, median, wallMs } from './measure.js';

/** What one start-up mechanism of cli/launcher/ saves a command, in ms (median of paired runs). */
export interface PartFigure {
  part: string;
  savedMs: number;
  withMs: number;
  withoutMs: number;
}

const REPO = fileURLToPath(new URL('..', import.meta.url));

/** Runs `without` and `with` alternately, so both see the same machine load. */
function paired(part: string, runs: number, without: (i: number) => number, withIt: (i: number) => number): PartFigure {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < runs; i++) {
    a.push(without(i));
    b.push(withIt(i));
  }
  return { part, withoutMs: median(a), withMs: median(b), savedMs: median(a.map((x, i) => x - b[i])) };
}

const nodeEval = (code: string) => wallMs(['-e', code], { cwd: REPO });

/**
 * Each figure isolates one mechanism: the cost it avoids, measured on this machine. They are
 * what docs/startup.md records; none is a budget (the budgets are the whole-command ratios).
 */
export function benchStartupParts(runs = 15): PartFigure[] {
  const work = mkdtempSync(join(tmpdir(), 'sk-bench-parts-'));
  try {
    // Code cache: a copy of dist/ with no cache compiles the bundle (and writes a cache at exit).
    const status = (dist: string, home: string) => wallMs([join(dist, 'spec-kitty.cjs'), 'sync', 'status'], {
      cwd: work, env: { ...process.env, SPEC_KITTY_HOME: home, NO_COLOR: '1' },
    });
    const warm = join(work, 'warm');
    cpSync(dirname(CLI), warm, { recursive: true });
    status(warm, join(work, 'warm-home'));
    const cold = (i: number) => {
      const dist = join(work, `cold-${i}`);
      mkdirSync(dist);
      for (const f of ['spec-kitty.cjs', 'cli.cjs']) cpSync(join(dirname(CLI), f), join(dist, f));
      return status(dist, join(work, `cold-home-${i}`));
    };
    return [
      paired('V8 code cache (sync status)', runs, cold, () => status(warm, join(work, 'warm-home'))),
      paired('lazy node:crypto, child_process, tty', runs,
        () => nodeEval("require('node:crypto'); require('node:child_process'); require('node:tty')"), () => nodeEval('0')),
      paired('direct fd writes (no stdout/stderr streams)', runs,
        () => nodeEval("process.stdout.write(''); process.stderr.write('')"), () => nodeEval("require('node:fs').writeSync(1, '')")),
    ];
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export const formatPart = (p: PartFigure) =>
  `info ${p.part}: saves ${p.savedMs.toFixed(1)} ms per command (${p.withoutMs.toFixed(1)} → ${p.withMs.toFixed(1)} ms)`;

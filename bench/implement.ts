import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, compareToBareNode, type Ratio, wallMs } from './measure.js';

/**
 * `spec-kitty implement WP01`, not logged in, event durably queued, against bare node
 * (DESIGN §7: ≤ 1.6). Each run gets a fresh copy of a prepared project, so every run
 * does a real planned → doing move and a real queue insert.
 */
export function benchImplement(runs = 21): Ratio {
  const work = mkdtempSync(join(tmpdir(), 'sk-bench-'));
  const env = { ...process.env, SPEC_KITTY_HOME: join(work, 'home'), NO_COLOR: '1' };
  const template = join(work, 'template');
  const sk = (cwd: string, ...args: string[]) => {
    const r = spawnSync(process.execPath, [CLI, ...args], { cwd, env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`spec-kitty ${args.join(' ')} failed: ${r.stderr}`);
  };
  try {
    spawnSync('git', ['init', '-q', template]);
    sk(template, 'init');
    sk(template, 'feature', 'create', 'Bench');
    sk(template, 'wp', 'add', '001-bench', 'Work');
    for (let i = 0; i < runs; i++) cpSync(template, join(work, `p${i}`), { recursive: true });
    sk(join(work, 'p0'), 'status'); // warm the queue file and clock so run 1 is not a first-ever run
    return compareToBareNode('spec-kitty implement WP01', 1.6, runs, (i) =>
      wallMs([CLI, 'implement', 'WP01'], { cwd: join(work, `p${i}`), env }));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

import { spawnCli } from '../../helpers/cli.js';
import { initRepo, type WorkflowRepo } from '../workflow-helpers.js';
import { checkDamage, type Damage } from './invariants.js';

export interface ChaosReport extends Damage {
  seed: number;
  commands: number;
  killed: number;
  exited0: number;
}

export interface ChaosOptions {
  /** Rounds of `parallel` commands started at once; a share of them is SIGKILLed. */
  rounds: number;
  parallel: number;
  killRatio: number;
  /** Kills land within this many ms of the start: most commands are then still at work. */
  maxDelayMs: number;
  seed?: number;
}

/** A small deterministic generator, so a failing run can be repeated from its seed. */
function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 2246822507) + 0x9e3779b9) >>> 0;
    return s / 4294967296;
  };
}

const FEATURES = ['001-shop', '002-pay'];
const WPS = ['WP01', 'WP02', 'WP03'];

function pickCommand(r: () => number): string[] {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const feature = pick(FEATURES);
  const wp = pick(WPS);
  const roll = r();
  if (roll < 0.25) return ['implement', wp, '--feature', feature, '--force'];
  if (roll < 0.45) return ['review', wp, '--feature', feature];
  if (roll < 0.6) return ['move', wp, '--feature', feature, '--to', pick(['planned', 'doing', 'for_review']), '--force'];
  if (roll < 0.72) return ['accept', '--feature', feature];
  if (roll < 0.9) return ['wp', 'add', feature, `Task ${Math.floor(r() * 1000)}`];
  return ['feature', 'create', `Extra ${Math.floor(r() * 100000)}`];
}

async function setup(): Promise<WorkflowRepo> {
  const p = await initRepo();
  await p.ok('feature', 'create', 'Shop');
  await p.ok('feature', 'create', 'Pay');
  for (const f of FEATURES) for (const w of WPS) await p.ok('wp', 'add', f, `Task ${w}`);
  return p;
}

/**
 * Runs lane commands in parallel on one repository and SIGKILLs some of them at random
 * moments, then checks that nothing was lost, invented or duplicated. Bounded in rounds,
 * and every process it starts is ended before it returns.
 */
export async function randomKills(options: ChaosOptions): Promise<ChaosReport> {
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const r = random(seed);
  const p = await setup();
  const report = { seed, commands: 0, killed: 0, exited0: 0 };
  for (let round = 0; round < options.rounds; round++) {
    const runs = Array.from({ length: options.parallel }, () => {
      const child = spawnCli(pickCommand(r), { cwd: p.repo, home: p.home });
      const kill = r() < options.killRatio ? setTimeout(() => child.kill('SIGKILL'), r() * options.maxDelayMs) : undefined;
      return new Promise<void>((resolve) => {
        child.on('close', (code, signal) => {
          clearTimeout(kill);
          report.commands += 1;
          if (signal === 'SIGKILL') report.killed += 1;
          if (code === 0) report.exited0 += 1;
          resolve();
        });
      });
    });
    await Promise.all(runs);
  }
  return { ...report, ...(await checkDamage(p.repo, p.home)) };
}

export const formatReport = (r: ChaosReport) => [
  ['commands', 'killed', 'exited 0', 'events', 'lost', 'phantom', 'duplicated', 'unparsable', 'unsettled'],
  [r.commands, r.killed, r.exited0, r.events, r.lost, r.phantom, r.duplicated, r.unparsable, r.unsettled].map(String),
].map((row) => row.map((c) => c.padStart(10)).join(' ')).join('\n') + `\nseed ${r.seed}`;

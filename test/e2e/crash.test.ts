import test from 'ava';
import { spawnCli } from '../helpers/cli.js';
import { checkDamage } from './chaos/invariants.js';
import { formatReport, randomKills } from './chaos/random-kills.js';
import { initRepo, type WorkflowRepo } from './workflow-helpers.js';

const POINTS = ['before-change', 'after-change', 'after-commit'] as const;

/** Each step: how to reach its starting state, and the command that crashes. `nth`: which change of the command dies. */
const STEPS: Array<{ name: string; ready(p: WorkflowRepo): Promise<unknown>; args: string[]; nth?: number }> = [
  { name: 'feature create', ready: async () => {}, args: ['feature', 'create', 'Shop'] },
  { name: 'wp add', ready: (p) => p.ok('feature', 'create', 'Shop'), args: ['wp', 'add', '001-shop', 'Cart'] },
  {
    name: 'implement',
    ready: async (p) => { await p.ok('feature', 'create', 'Shop'); await p.ok('wp', 'add', '1', 'Cart'); },
    args: ['implement', 'WP01'],
  },
  {
    name: 'accept (the move)',
    ready: async (p) => { await p.ok('feature', 'create', 'Shop'); await p.ok('wp', 'add', '1', 'Cart'); await p.ok('implement', 'WP01'); await p.ok('review', 'WP01'); },
    args: ['accept'],
  },
  {
    name: 'accept (FeatureCompleted)',
    ready: async (p) => { await p.ok('feature', 'create', 'Shop'); await p.ok('wp', 'add', '1', 'Cart'); await p.ok('implement', 'WP01'); await p.ok('review', 'WP01'); },
    args: ['accept'],
    nth: 2,
  },
];

function crash(p: WorkflowRepo, args: string[], at: string): Promise<NodeJS.Signals | null> {
  const child = spawnCli(args, { cwd: p.repo, home: p.home, env: { SPEC_KITTY_CRASH_AT: at } });
  return new Promise((resolve) => child.on('close', (_code, signal) => resolve(signal)));
}

for (const step of STEPS) {
  for (const point of POINTS) {
    test(`killed ${point} in ${step.name}: the next command finds the change and its event together or neither`, async (t) => {
      const p = await initRepo();
      await step.ready(p);
      t.is(await crash(p, step.args, `${point}:${step.nth ?? 1}`), 'SIGKILL', 'the crash point was reached');
      const after = await checkDamage(p.repo, p.home);
      t.deepEqual(after.problems, []);
      t.like(after, { lost: 0, phantom: 0, duplicated: 0, unparsable: 0, unsettled: 0 });
      // Running the command again finishes the job, with still exactly one event per change.
      await p.run(...step.args);
      const again = await checkDamage(p.repo, p.home);
      t.deepEqual(again.problems, []);
      t.like(again, { lost: 0, phantom: 0, duplicated: 0, unparsable: 0, unsettled: 0 });
    });
  }
}

test('random SIGKILLs of parallel lane commands lose, invent and duplicate nothing', async (t) => {
  const report = await randomKills({ rounds: 12, parallel: 8, killRatio: 0.75, maxDelayMs: 350 });
  t.log(formatReport(report));
  t.true(report.killed >= 50, `only ${report.killed} kills`);
  t.deepEqual(report.problems, []);
  t.like(report, { lost: 0, phantom: 0, duplicated: 0, unparsable: 0, unsettled: 0 });
});

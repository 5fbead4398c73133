import test from 'ava';
import { SCALE } from './helpers.js';
import { formatSyncKills, syncKills } from './sync-kills.js';

// Bounded for CI: about 100 kills, and at most ~70 s of rounds. FAULTS_SCALE=N multiplies both
// (give ava a longer --timeout then); `npm run chaos` runs the long version (hundreds of kills,
// on PostgreSQL too). FAULTS_SEED repeats a run.
const TARGET = 100 * SCALE;

test(`≥ ${TARGET} random SIGKILLs of CLIs and drainers during emit and sync: nothing lost, nothing twice, the queues agree with the hub`, async (t) => {
  t.timeout(180_000 * SCALE);
  const report = await syncKills(t, {
    targetKills: TARGET, maxRounds: 40 * SCALE, budgetMs: 70_000 * SCALE,
    parallel: 8, killRatio: 0.75, maxDelayMs: 450, drainerKillRatio: 0.6, drainerMaxDelayMs: 500, leaseMs: 3000,
    seed: process.env.FAULTS_SEED ? Number(process.env.FAULTS_SEED) : undefined,
  });
  t.log(`\n${formatSyncKills(report)}`);
  for (const p of report.problems.slice(0, 20)) t.log(`  ${p}`);
  t.true(report.cliKills + report.drainerKills >= TARGET, `only ${report.cliKills + report.drainerKills} kills`);
  t.true(report.drainerKills > 0, 'drainers were killed too');
  t.deepEqual(report.problems, []);
  t.like(report, { lost: 0, duplicated: 0, phantom: 0, unknown: 0, left: 0, unparsable: 0 });
  t.is(report.onHub, report.events);
});

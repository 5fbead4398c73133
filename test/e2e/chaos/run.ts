// npm run chaos: the long versions of the kill tests.
//   local: test/e2e/crash.test.ts's random kills of parallel lane commands (≥ 300 kills);
//   hub:   test/e2e/faults/kills.test.ts's random kills of CLIs and drainers syncing to a live hub
//          (≥ 400 kills on SQLite, and on PostgreSQL too when SPEC_KITTY_TEST_PG is set).
// CHAOS_MODE=local|hub picks one (default: both); CHAOS_SEED repeats a run; CHAOS_SCALE=N
// multiplies the hub runs' kills and time budget.
import { PG_URL, pgDatabase, scriptOwner } from '../faults/helpers.js';
import { formatSyncKills, syncKills, syncKillsFailed } from '../faults/sync-kills.js';
import { formatReport, randomKills } from './random-kills.js';

const seed = process.env.CHAOS_SEED ? Number(process.env.CHAOS_SEED) : undefined;
const mode = process.env.CHAOS_MODE ?? 'all';
const scale = Math.max(1, Number(process.env.CHAOS_SCALE ?? 1) || 1);
let failed = false;

if (mode === 'all' || mode === 'local') {
  const report = await randomKills({ rounds: 60, parallel: 8, killRatio: 0.7, maxDelayMs: 400, seed });
  console.log('local: parallel lane commands, no hub');
  console.log(formatReport(report));
  for (const problem of report.problems.slice(0, 20)) console.log(`  ${problem}`);
  const bad = report.lost + report.phantom + report.duplicated + report.unparsable + report.unsettled;
  console.log(bad === 0 && report.killed >= 300 ? 'chaos: nothing lost' : `chaos: ${bad} problem(s), ${report.killed} kills`);
  failed ||= !(bad === 0 && report.killed >= 300);
}

if (mode === 'all' || mode === 'hub') {
  const minKills = 400 * scale;
  for (const backend of PG_URL ? ['sqlite', 'postgres'] as const : ['sqlite'] as const) {
    const owner = scriptOwner();
    try {
      const db = backend === 'postgres' ? await pgDatabase(owner) : undefined;
      const report = await syncKills(owner, {
        targetKills: minKills, maxRounds: 200 * scale, budgetMs: 600_000 * scale,
        parallel: 8, killRatio: 0.7, maxDelayMs: 500, drainerKillRatio: 0.7, drainerMaxDelayMs: 700, leaseMs: 3000, db, seed,
      });
      console.log(`\nhub (${backend}): CLIs and drainers emitting and syncing`);
      console.log(formatSyncKills(report));
      for (const problem of report.problems.slice(0, 20)) console.log(`  ${problem}`);
      const bad = syncKillsFailed(report, minKills);
      console.log(bad ? `chaos (hub, ${backend}): problems, or fewer than ${minKills} kills` : `chaos (hub, ${backend}): nothing lost, nothing twice`);
      failed ||= bad;
    } finally {
      await owner.close();
    }
  }
  if (!PG_URL) console.log('(PostgreSQL skipped: set SPEC_KITTY_TEST_PG to run the hub chaos on it too)');
}

process.exitCode = failed ? 1 : 0;

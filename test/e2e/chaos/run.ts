// npm run chaos: the long version of test/e2e/crash.test.ts's random kills (≥ 300 kills).
import { formatReport, randomKills } from './random-kills.js';

const seed = process.env.CHAOS_SEED ? Number(process.env.CHAOS_SEED) : undefined;
const report = await randomKills({ rounds: 60, parallel: 8, killRatio: 0.7, maxDelayMs: 400, seed });
console.log(formatReport(report));
for (const problem of report.problems.slice(0, 20)) console.log(`  ${problem}`);
const bad = report.lost + report.phantom + report.duplicated + report.unparsable + report.unsettled;
console.log(bad === 0 && report.killed >= 300 ? 'chaos: nothing lost' : `chaos: ${bad} problem(s), ${report.killed} kills`);
process.exitCode = bad === 0 && report.killed >= 300 ? 0 : 1;

import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ARRIVAL_BUDGET_MS, benchArrival, formatArrival } from './sync-arrival.js';
import { benchDrain, drainOk, formatDrain } from './sync-drain.js';
import { benchImplementSync, formatImplementSync, type Homes } from './sync-implement.js';
import { logIn, makeTemplate, moveLogin, settleDrainers, startBlackHole, startHub, tempDir, type Child } from './sync-setup.js';

export type Report = (line: string, ok: boolean) => void;

/** A figure that could not be measured is reported as over budget, and the bench goes on. */
async function guarded(name: string, report: Report, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    report(`FAIL ${name}: ${(error as Error).stack ?? error}`, false);
  }
}

/**
 * The sync budgets of issue 14 (npm run bench; alone: `npm run build && node --import tsx bench/sync.ts`):
 * `implement WP01` logged in against a live hub and a black hole, the time from a command's exit
 * until its event is on the hub, and draining 100,000 queued events. Every hub, black hole and
 * drainer started here is ended before it returns.
 */
export async function benchSync(report: Report): Promise<void> {
  const work = tempDir('sk-bench-sync-');
  const homes: Homes = { out: join(work, 'out'), live: join(work, 'live'), hole: join(work, 'hole') };
  const children: Child[] = [];
  try {
    await guarded('implement WP01 logged in / command exit → event on the hub', report, async () => {
      const hub = await startHub(join(work, 'hub.db'), join(work, 'hub-home'), 'bench');
      children.push(hub);
      const hole = await startBlackHole();
      children.push(hole);
      mkdirSync(homes.out);
      const template = makeTemplate(work, homes.out);
      logIn(homes.live, hub.url, 'bench');
      logIn(homes.hole, hub.url, 'bench');
      moveLogin(homes.hole, hole.url);

      const implement = await benchImplementSync(work, template, homes);
      const lines = formatImplementSync(implement);
      implement.figures.forEach((f, i) => report(lines[i], f.ok));
      console.log(lines[lines.length - 1]);

      const arrival = await benchArrival(work, template, homes.live, hub.url, 'bench');
      report(formatArrival(arrival), arrival.p95Ms <= ARRIVAL_BUDGET_MS);
    });
    await guarded('draining 100,000 queued events', report, async () => {
      const drain = await benchDrain(work);
      report(formatDrain(drain), drainOk(drain));
    });
  } finally {
    for (const home of [...Object.values(homes), join(work, 'drain-home')]) await settleDrainers(home, { kill: true, limitMs: 5_000 });
    for (const child of children.reverse()) await child.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  let over = 0;
  await benchSync((line, ok) => {
    console.log(line);
    if (!ok) over += 1;
  });
  console.log(over === 0 ? 'all sync budgets met' : `${over} sync budget(s) over`);
  process.exitCode = over === 0 ? 0 : 1;
}

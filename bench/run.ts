// npm run bench: every budget of DESIGN §7, measured in one run and printed with its figure.
import { HUB_INGEST_BUDGET, benchHubIngestSqlite, formatHubIngest, hubIngestPostgresLine } from './hub-ingest.js';
import { benchImplement } from './implement.js';
import { formatRatio } from './measure.js';
import { benchDashboard } from './dashboard.js';
import { benchEmitThroughput } from './queue-throughput.js';
import { benchStartupParts, formatPart } from './startup-parts.js';
import { benchVersion } from './startup.js';
import { benchSync } from './sync.js';

const lines: string[] = [];
let over = 0;
const report = (line: string, ok: boolean) => {
  lines.push(line);
  if (!ok) over += 1;
  console.log(line);
};

const version = benchVersion();
report(formatRatio(version), version.ok);

const implement = benchImplement();
report(formatRatio(implement), implement.ok);

const t = await benchEmitThroughput();
report(`${t.eventsPerSecond >= 5000 ? 'ok  ' : 'OVER'} emit throughput (full default pipeline, durable): ${Math.round(t.eventsPerSecond)} events/s (budget ≥ 5000); median single emit ${t.medianEmitMs.toFixed(2)} ms`,
  t.eventsPerSecond >= 5000);

// Hub batch ingest (issue 12): 1000-event gzip batches over HTTP from concurrent clients. The
// SQLite figure is the budget; PostgreSQL, when one is available, is info only.
const hubSqlite = await benchHubIngestSqlite();
report(formatHubIngest(hubSqlite), hubSqlite.eventsPerSecond >= HUB_INGEST_BUDGET);
console.log(await hubIngestPostgresLine());

// Sync (issue 14): implement WP01 logged in (live hub, black hole), command exit → event on the
// hub, and draining 100,000 queued events. Alone: npm run build && node --import tsx bench/sync.ts
await benchSync(report);

// The dashboard (issue 15), in chromium when it is installed: implement exits → lane change in
// the page, and the render of a 200 × 50 team. Alone: node --import tsx --conditions=spec-kitty-source bench/dashboard.ts
await benchDashboard(report);

// What each start-up mechanism of cli/launcher/ is worth (docs/startup.md); figures, not budgets.
for (const part of benchStartupParts()) console.log(formatPart(part));

console.log(over === 0 ? 'all budgets met' : `${over} budget(s) over`);
process.exitCode = over === 0 ? 0 : 1;

/**
 * Random SIGKILLs of CLIs and drainers while they emit and sync against a live hub: the bounded
 * version runs in ava (kills.test.ts), the long one in `npm run chaos` (test/e2e/chaos/run.ts).
 *
 * Two machines (two SPEC_KITTY_HOMEs, two node ids) each work in a clone of one repository
 * (one project on the hub), logged in to one hub. Each round starts `parallel` CLIs at once (lane commands, wp add,
 * feature create, and now and then `sync now`), SIGKILLs a share of them at random moments,
 * and meanwhile SIGKILLs the detached drainers the commands start, at random moments too. The
 * rounds stop at `targetKills` kills, `maxRounds` rounds or `budgetMs`, whichever comes first.
 * Then every machine's last drainer is waited for (the dead senders' leases run out), a final
 * `sync now` runs, and the queues, the files and the hub are compared.
 */
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runningDrainer } from '../../../cli/sync/drainer-lock.js';
import { checkDamage } from '../chaos/invariants.js';
import {
  audit, checkout, drainerPids, finalSync, machine, sleep, start, startHub, type Checkout, type Machine, type Owner,
} from './helpers.js';

export interface SyncKillOptions {
  targetKills: number;
  maxRounds: number;
  budgetMs: number;
  /** CLIs started at once per round (spread over the machines). */
  parallel: number;
  /** Share of the CLIs SIGKILLed, within `maxDelayMs` of their start. */
  killRatio: number;
  maxDelayMs: number;
  /** Share of the drainers seen that are SIGKILLed, within `drainerMaxDelayMs` of being seen. */
  drainerKillRatio: number;
  drainerMaxDelayMs: number;
  /** The batch-sync lease (every sender of the test): a killed sender's claim runs out after it. */
  leaseMs: number;
  /** A postgres:// database for the hub; SQLite by default. */
  db?: string;
  seed?: number;
}

export interface SyncKillReport {
  seed: number;
  hub: 'sqlite' | 'postgres';
  rounds: number;
  commands: number;
  /** CLIs (commands and `sync now`) that died of our SIGKILL. */
  cliKills: number;
  syncNowKills: number;
  drainerKills: number;
  /** Drainers killed while holding the drainer lock: inside a drain, claiming or sending. */
  drainerKillsInDrain: number;
  exited0: number;
  /** Distinct events in the queues after the final sync. */
  events: number;
  onHub: number;
  /** Emitted, not on the hub, plus changes on disk without an event. */
  lost: number;
  /** Extra copies on the hub, plus changes with two events. */
  duplicated: number;
  /** Events for a change that is not on disk. */
  phantom: number;
  /** On the hub, known to no queue. */
  unknown: number;
  /** Left pending, prepared, held or dead after the final sync. */
  left: number;
  unparsable: number;
  finalSyncRuns: number;
  ms: number;
  problems: string[];
}

/** The same small generator as chaos/random-kills.ts, so a failing run repeats from its seed. */
function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 2246822507) + 0x9e3779b9) >>> 0;
    return s / 4294967296;
  };
}

const FEATURES = ['001-shop'];
const WPS = ['WP01', 'WP02', 'WP03'];

function pickCommand(r: () => number): string[] {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const feature = pick(FEATURES);
  const wp = pick(WPS);
  const roll = r();
  if (roll < 0.1) return ['sync', 'now', '--json'];
  if (roll < 0.32) return ['implement', wp, '--feature', feature, '--force'];
  if (roll < 0.5) return ['review', wp, '--feature', feature];
  if (roll < 0.64) return ['move', wp, '--feature', feature, '--to', pick(['planned', 'doing', 'for_review']), '--force'];
  if (roll < 0.74) return ['accept', '--feature', feature];
  if (roll < 0.92) return ['wp', 'add', feature, `Task ${Math.floor(r() * 1000)}`];
  return ['feature', 'create', `Extra ${Math.floor(r() * 100000)}`];
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Runs the rounds and the checks; every process it starts is ended through `owner`. */
export async function syncKills(owner: Owner, options: SyncKillOptions): Promise<SyncKillReport> {
  const began = Date.now();
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const r = random(seed);
  const hub = await startHub(owner, { db: options.db });
  const machines = [machine(owner, 'kill-a', { leaseMs: options.leaseMs }), machine(owner, 'kill-b', { leaseMs: options.leaseMs })];
  for (const m of machines) await m.login(hub.url);
  // Each machine sets up its own clone of one repository (one project on the hub), so that each
  // clone's files and its machine's queue can be checked against each other afterwards.
  const clones: Checkout[] = await Promise.all(machines.map(async (m) => {
    const c = await checkout(m, 'git@github.com:acme/chaos.git');
    // The project's own senders (sync now in the repository) take the short lease too.
    writeFileSync(join(c.repo, '.kittify', 'plugins.json'), JSON.stringify({ plugins: [{ use: 'batch-sync', options: { leaseMs: options.leaseMs } }] }));
    await c.ok('feature', 'create', 'Shop');
    for (const f of FEATURES) for (const w of WPS) await c.ok('wp', 'add', f, `Task ${w}`);
    return c;
  }));

  const report: SyncKillReport = {
    seed, hub: options.db ? 'postgres' : 'sqlite', rounds: 0, commands: 0, cliKills: 0, syncNowKills: 0, drainerKills: 0, drainerKillsInDrain: 0, exited0: 0,
    events: 0, onHub: 0, lost: 0, duplicated: 0, phantom: 0, unknown: 0, left: 0, unparsable: 0, finalSyncRuns: 0, ms: 0, problems: [],
  };
  const children = new Set<ChildProcess>();
  owner.teardown(() => { for (const c of children) c.kill('SIGKILL'); });

  // The drainer killer: runs through every round, and stops before the final sync.
  let killing = true;
  const doomed = new Set<number>();
  const timers = new Set<NodeJS.Timeout>();
  const killer = (async () => {
    while (killing) {
      for (const m of machines) {
        for (const pid of drainerPids(m.home)) {
          if (doomed.has(pid)) continue;
          doomed.add(pid);
          if (r() >= options.drainerKillRatio) continue;
          const timer = setTimeout(() => {
            timers.delete(timer);
            if (!killing || !alive(pid)) return;
            const draining = runningDrainer(m.home) === pid;
            try {
              process.kill(pid, 'SIGKILL');
              report.drainerKills += 1;
              if (draining) report.drainerKillsInDrain += 1;
            } catch { /* it ended meanwhile */ }
          }, r() * options.drainerMaxDelayMs);
          timers.add(timer);
        }
      }
      await sleep(20 + r() * 40);
    }
  })();

  const kills = () => report.cliKills + report.drainerKills;
  const rounds = Math.max(1, options.maxRounds);
  for (let round = 0; round < rounds && kills() < options.targetKills && Date.now() - began < options.budgetMs; round++) {
    report.rounds += 1;
    await Promise.all(Array.from({ length: options.parallel }, (_, i) => {
      const c = clones[i % clones.length];
      const args = pickCommand(r);
      const child = start(args, { cwd: c.repo, home: c.machine.home });
      children.add(child);
      const kill = r() < options.killRatio ? setTimeout(() => child.kill('SIGKILL'), r() * options.maxDelayMs) : undefined;
      return new Promise<void>((resolve) => {
        child.on('close', (code, signal) => {
          clearTimeout(kill);
          children.delete(child);
          report.commands += 1;
          if (signal === 'SIGKILL') {
            report.cliKills += 1;
            if (args[0] === 'sync') report.syncNowKills += 1;
          }
          if (code === 0) report.exited0 += 1;
          resolve();
        });
      });
    }));
  }
  killing = false;
  for (const timer of timers) clearTimeout(timer);
  await killer;

  await Promise.all(machines.map(async (m) => {
    const runs = await finalSync(m, { leaseMs: options.leaseMs, afterKills: true, tries: 6 });
    report.finalSyncRuns += runs.length;
    const last = runs[runs.length - 1];
    if (last.code !== 0) report.problems.push(`${m.name}: the final sync now exited ${last.code}: ${last.report ? JSON.stringify(last.report) : last.stderr.trim()}`);
  }));
  for (const [c, d] of await Promise.all(clones.map(async (c) => [c, await checkDamage(c.repo, c.machine.home)] as const))) {
    report.lost += d.lost;
    report.duplicated += d.duplicated;
    report.phantom += d.phantom;
    report.unparsable += d.unparsable;
    report.left += d.unsettled;
    report.problems.push(...d.problems.map((p) => `${c.machine.name}: ${p}`));
  }
  const f = await audit(hub, machines as Machine[]);
  report.events = f.emitted;
  report.onHub = f.onHub;
  report.lost += f.lost + f.sentNotOnHub;
  report.duplicated += f.duplicated;
  report.unknown = f.unknown;
  report.left += f.left;
  if (f.file && (f.file.rows !== f.onHub || f.file.distinct !== f.onHub)) report.problems.push(`hub.db holds ${f.file.rows} rows (${f.file.distinct} distinct), the API ${f.onHub}`);
  if (f.left > 0) report.problems.push(`left in the queues: ${JSON.stringify(f.states)}`);
  report.ms = Date.now() - began;
  return report;
}

export const syncKillsFailed = (r: SyncKillReport, minKills: number) =>
  r.lost + r.duplicated + r.phantom + r.unknown + r.left + r.unparsable + r.problems.length > 0 || r.cliKills + r.drainerKills < minKills;

export const formatSyncKills = (r: SyncKillReport) => [
  ['hub', 'rounds', 'commands', 'cli kills', 'sync now', 'drainers', 'in drain', 'exited 0', 'events', 'on hub', 'lost', 'duplicated', 'phantom', 'unknown', 'left'],
  [r.hub, r.rounds, r.commands, r.cliKills, r.syncNowKills, r.drainerKills, r.drainerKillsInDrain, r.exited0, r.events, r.onHub, r.lost, r.duplicated, r.phantom, r.unknown, r.left].map(String),
].map((row) => row.map((c) => c.padStart(10)).join(' ')).join('\n') +
  `\nkills ${r.cliKills + r.drainerKills} (cli kills include the sync now ones), seed ${r.seed}, ${(r.ms / 1000).toFixed(1)} s, final sync now runs ${r.finalSyncRuns}`;

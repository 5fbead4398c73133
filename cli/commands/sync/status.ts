import { UserError, messageOf } from '../../../core/errors.js';
import type { AuthStatus, QueueCounts, RuntimeOptions } from '../../../core/services.js';
import { findProjectRoot } from '../../../services/identity/project-root.js';
import { runningDrainer } from '../../sync/drainer-lock.js';
import { readSyncSettings } from '../../sync/settings.js';
import { bold, dim, print, printJson, table } from '../../output.js';
import { formatAge } from './age.js';
import { TOKENS } from '../../../core/tokens.js';
import { cliServices } from '../../runtime.js';
import { queueUnavailable } from '../../../services/user-db/errors.js';

const total = (c: QueueCounts) => c.pending + c.held + c.sent + c.dead;

function authJson(read: () => AuthStatus) {
  try {
    const a = read();
    return { logged_in: a.loggedIn, team_slug: a.teamSlug, username: a.username, hub_url: a.hubUrl };
  } catch (err) {
    // Login state is one line of the report; a broken credentials file must not hide the queue.
    return { logged_in: false, team_slug: 'local', username: null, hub_url: null, error: messageOf(err) };
  }
}

export async function syncStatus(opts: { json?: boolean }): Promise<void> {
  const services = await cliServices();
  const queue = services.get(TOKENS.ReadQueue);
  // A queue that cannot be read (a folder in its place, a permission, damage that cannot be
  // salvaged) is one line saying what to do, exit 1: never a stack trace.
  const stats = await queue.stats().catch((err: unknown) => {
    throw err instanceof UserError ? err : queueUnavailable(queue.path, err);
  });
  const now = Date.now();
  const oldestAgeMs = stats.oldestPendingAt === null ? null : now - Date.parse(stats.oldestPendingAt);
  const report = {
    queue_path: stats.path,
    queue_exists: stats.exists,
    total: total(stats.counts),
    counts: stats.counts,
    projects: stats.projects.map((p) => ({ ...p, total: total(p.counts) })),
    oldest_pending_at: stats.oldestPendingAt,
    oldest_pending_age_seconds: oldestAgeMs === null ? null : Math.floor(oldestAgeMs / 1000),
    auth: authJson(() => services.get(TOKENS.Auth).status()),
    last_sync_at: stats.lastSyncAt,
    last_sync_error: stats.lastSyncError,
    sync: syncJson(services.get(TOKENS.Options)),
    dead_events: stats.counts.dead === 0 ? [] : (await queue.list({ state: 'dead', limit: DEAD_SHOWN })).events
      .map((e) => ({ event_id: e.event_id, event_type: e.envelope.event_type, aggregate_id: e.envelope.aggregate_id, reason: e.last_error })),
  };
  if (opts.json) {
    printJson(report);
    return;
  }
  print(`${bold('Offline queue')}  ${report.queue_path}${report.queue_exists ? '' : dim('  (not created yet: nothing queued)')}`);
  const c = report.counts;
  print(table([
    ['pending', String(c.pending), oldestAgeMs === null ? '' : `oldest queued ${formatAge(oldestAgeMs)} ago`],
    ['held', String(c.held), c.held > 0 ? 'no project identity: never sent until adopted (see `spec-kitty sync held`)' : ''],
    ['sent', String(c.sent), ''],
    ['dead', String(c.dead), c.dead > 0 ? 'rejected by the hub: see `spec-kitty sync queue --state dead`' : ''],
  ].map((r) => r.map((cell, i) => (i === 0 ? `  ${cell}` : cell)))));
  if (report.projects.length > 0) {
    print();
    print(bold('By project'));
    print(table(
      report.projects.map((p) => [
        `  ${p.project_slug ?? '(no project)'}`, p.project_uuid ?? '-',
        String(p.counts.pending), String(p.counts.held), String(p.counts.sent), String(p.counts.dead),
      ]),
      ['  project', 'uuid', 'pending', 'held', 'sent', 'dead'],
    ));
  }
  if (report.dead_events.length > 0) {
    print();
    print(bold(`Dead events${c.dead > DEAD_SHOWN ? ` (first ${DEAD_SHOWN} of ${c.dead})` : ''}`));
    print(table(report.dead_events.map((d) => [`  ${d.event_id}`, d.event_type, d.aggregate_id, d.reason ?? '']), ['  event', 'type', 'aggregate', 'reason']));
    print(dim('  `spec-kitty sync retry-dead` puts them back to pending'));
  }
  print();
  const a = report.auth;
  if ('error' in a) print(`Hub: login state unreadable (${a.error}); events stay queued`);
  else if (a.logged_in) print(`Hub: logged in to ${a.hub_url ?? 'the hub'} as ${a.username ?? '?'} (team ${a.team_slug})`);
  else print('Hub: not logged in; events stay queued on this machine (team "local")');
  print(`Last sync: ${report.last_sync_at ?? 'never'}${report.last_sync_error ? `; last error ${report.last_sync_error.at}: ${report.last_sync_error.message}` : ''}`);
  const y = report.sync;
  if (!y.enabled) print(`Sync: off (${y.off_because})`);
  else print(`Sync: ${y.background ? 'in the background after each command' : `at exit, for up to ${y.exit_flush_ms} ms`}` +
    `${y.drainer_pid !== null ? `; a background drain is running${y.drainer_pid ? ` (pid ${y.drainer_pid})` : ''}` : ''}`);
}

/** How many dead events the report lists; `sync queue --state dead` lists them all. */
const DEAD_SHOWN = 10;

function syncJson(options: RuntimeOptions) {
  const settings = readSyncSettings(findProjectRoot(options.cwd));
  return {
    enabled: settings.enabled, off_because: settings.offBecause, background: settings.background, exit_flush_ms: settings.exitFlushMs,
    drainer_pid: runningDrainer(options.home),
  };
}

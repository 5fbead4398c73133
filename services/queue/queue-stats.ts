import type Database from 'better-sqlite3';
import type { QueueCounts, QueueListFilter, QueueStats, QueueState } from '../../core/services.js';
import { ROW_COLUMNS, toQueuedEvent, zeroCounts, type EventRow } from './rows.js';

export function emptyStats(path: string): QueueStats {
  return { path, exists: false, counts: zeroCounts(), projects: [], oldestPendingAt: null, lastSyncAt: null, lastSyncError: null };
}

export function readStats(db: Database.Database, path: string): QueueStats {
  const rows = db.prepare(`
    SELECT project_uuid, project_slug, state, count(*) AS n
    FROM events WHERE state != 'prepared' GROUP BY project_uuid, state ORDER BY project_slug, project_uuid
  `).all() as Array<{ project_uuid: string | null; project_slug: string | null; state: Exclude<QueueState, 'prepared'>; n: number }>;
  const counts = zeroCounts();
  const byProject = new Map<string | null, { project_uuid: string | null; project_slug: string | null; counts: QueueCounts }>();
  for (const r of rows) {
    counts[r.state] += r.n;
    let p = byProject.get(r.project_uuid);
    if (!p) byProject.set(r.project_uuid, (p = { project_uuid: r.project_uuid, project_slug: r.project_slug, counts: zeroCounts() }));
    p.project_slug ??= r.project_slug;
    p.counts[r.state] += r.n;
  }
  const times = db.prepare(`SELECT (SELECT min(created_at) FROM events WHERE state = 'pending') AS oldest,
    (SELECT max(sent_at) FROM events WHERE state = 'sent') AS synced`).get() as { oldest: number | null; synced: number | null };
  return {
    path,
    exists: true,
    counts,
    projects: [...byProject.values()],
    oldestPendingAt: times.oldest === null ? null : new Date(times.oldest).toISOString(),
    lastSyncAt: times.synced === null ? null : new Date(times.synced).toISOString(),
    lastSyncError: readSyncError(db),
  };
}

const SYNC_ERROR_KEY = 'last_sync_error';

/** A success clears the last error; a failure replaces it (one row in `meta`, as JSON). */
export function recordSyncOutcome(db: Database.Database, outcome: { at: number; error: string | null }): void {
  if (outcome.error === null) {
    db.prepare(`DELETE FROM meta WHERE key = ?`).run(SYNC_ERROR_KEY);
    return;
  }
  const value = JSON.stringify({ at: new Date(outcome.at).toISOString(), message: outcome.error });
  db.prepare(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(SYNC_ERROR_KEY, value);
}

function readSyncError(db: Database.Database): QueueStats['lastSyncError'] {
  const row = db.prepare(`SELECT value FROM meta WHERE key = ?`).get(SYNC_ERROR_KEY) as { value: string } | undefined;
  if (!row) return null;
  try {
    const parsed = JSON.parse(row.value) as { at?: unknown; message?: unknown };
    return typeof parsed.at === 'string' && typeof parsed.message === 'string' ? { at: parsed.at, message: parsed.message } : null;
  } catch {
    return null;
  }
}

export function listEvents(db: Database.Database, filter: QueueListFilter) {
  const where: string[] = [];
  const params: Record<string, unknown> = {};
  if (filter.state) {
    where.push('state = @state');
    params.state = filter.state;
  }
  if (filter.project) {
    where.push('(project_uuid = @project OR project_slug = @project)');
    params.project = filter.project;
  }
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const { total } = db.prepare(`SELECT count(*) AS total FROM events ${clause}`).get(params) as { total: number };
  const limit = filter.limit && filter.limit > 0 ? `LIMIT ${Math.floor(filter.limit)}` : '';
  const rows = db.prepare(`SELECT ${ROW_COLUMNS} FROM events ${clause} ORDER BY seq ${limit}`).all(params) as EventRow[];
  return { total, events: rows.map(toQueuedEvent) };
}

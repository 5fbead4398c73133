import type Database from 'better-sqlite3';

/** Pruning is bookkeeping, not urgent: once per interval is plenty, whatever the number of processes. */
export const PRUNE_INTERVAL_MS = 10 * 60 * 1000;

/** Deletes sent rows older than `retentionMs`; returns how many. Pending, held and dead rows are never touched. */
export function pruneSentRows(db: Database.Database, retentionMs: number, now: number): number {
  const last = db.prepare(`SELECT value FROM meta WHERE key = 'last_prune_at'`).get() as { value: string } | undefined;
  if (last && now - Number(last.value) < PRUNE_INTERVAL_MS) return 0;
  return db.transaction(() => {
    db.prepare(`INSERT INTO meta (key, value) VALUES ('last_prune_at', @now) ON CONFLICT (key) DO UPDATE SET value = @now`).run({ now: String(now) });
    return db.prepare(`DELETE FROM events WHERE state = 'sent' AND sent_at < @cutoff`).run({ cutoff: now - retentionMs }).changes;
  }).immediate();
}

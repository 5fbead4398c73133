import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { lockOf, type EmitIntent } from '../../core/emit-context.js';
import type { PersistQueue } from '../../core/services.js';
import { contentHash } from '../../lib/content-hash.js';
import { withLock } from '../../lib/lock.js';

export interface Settled {
  committed: number;
  discarded: number;
}

/** Whether the change a prepared event stands for is on disk: the file holds exactly the content it was to get. */
function changeMade(intent: EmitIntent): boolean {
  try {
    return contentHash(readFileSync(intent.path, 'utf8')) === intent.hash;
  } catch {
    return false;
  }
}

/** Temp files an atomic write of `path` left when its process died (writes of a path happen under its lock). */
function removeOrphanTemps(path: string): void {
  const prefix = `.${basename(path)}.`;
  try {
    for (const name of readdirSync(dirname(path))) {
      if (name.startsWith(prefix) && name.endsWith('.tmp')) rmSync(join(dirname(path), name), { force: true });
    }
  } catch { /* the folder is gone: nothing left to clean */ }
}

/**
 * Settles what commands that died between persisting an event and committing it left under
 * `lock` (see lockOf): each event is committed if its change is on disk, else discarded. Call it
 * holding that lock; a live command holds it from prepare to commit, so what is prepared then is
 * a dead one's.
 */
export async function settleLock(queue: PersistQueue, lock: string): Promise<Settled> {
  const settled: Settled = { committed: 0, discarded: 0 };
  for (const row of await queue.prepared(lock)) {
    if (changeMade(row.intent)) {
      await queue.commit(row.event_id);
      settled.committed += 1;
    } else {
      await queue.discard(row.event_id);
      settled.discarded += 1;
    }
    removeOrphanTemps(row.intent.path);
  }
  return settled;
}

/** Settles under every lock that is free now; a lock another command holds is that command's to finish. */
export async function settleAll(queue: PersistQueue): Promise<Settled> {
  const total: Settled = { committed: 0, discarded: 0 };
  const locks = [...new Set((await queue.prepared()).map((row) => lockOf(row.intent)))];
  for (const lock of locks) {
    try {
      // The lock withFileLock takes (`<path>.lock`), tried once.
      const s = await withLock(lock, { staleMs: 15_000, waitMs: 0 }, () => settleLock(queue, lock));
      total.committed += s.committed;
      total.discarded += s.discarded;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    }
  }
  return total;
}

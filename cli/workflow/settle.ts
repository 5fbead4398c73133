import { readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { lockOf, type EmitIntent } from '../../core/emit-context.js';
import type { PersistQueue } from '../../core/services.js';
import { contentHash } from '../../lib/content-hash.js';
import { withLock } from '../../lib/lock.js';
import { parseWpFile } from './wp-file.js';

export interface Settled {
  committed: number;
  discarded: number;
}

export interface SettledAll extends Settled {
  /** Locks whose changes could not be settled, with why. */
  failed: string[];
}

/** Whether the change a prepared event stands for is on disk (see EmitIntent's `expect`). */
function changeMade(intent: EmitIntent): boolean {
  if (intent.expect === 'exists') return statSync(intent.path, { throwIfNoEntry: false })?.isFile() ?? false;
  let text: string;
  try {
    text = readFileSync(intent.path, 'utf8');
  } catch {
    return false;
  }
  if (intent.expect === undefined) return contentHash(text) === intent.hash;
  if ('lane' in intent.expect) return laneOf(text, intent.path) === intent.expect.lane;
  try {
    const value = (JSON.parse(text) as Record<string, unknown>)[intent.expect.key];
    return typeof value === 'string' && value !== '';
  } catch {
    return false;
  }
}

/** A WP file's lane, or null when it does not parse: then the move is not there. */
function laneOf(text: string, path: string): string | null {
  try {
    return parseWpFile(text, path, path, basename(path).slice(0, 4)).lane;
  } catch {
    return null;
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
 * `lock`, or for the file `lock` guards (see lockOf): each event is committed if its change is on
 * disk, else discarded. Call it holding that lock; a live command holds its lock from prepare to
 * commit, so what is prepared then is a dead one's. (A creation made under another lock may be
 * met here once its file exists; committing it then is what its own command is about to do.)
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
    // Temp files of the path's own writes, cleaned only while holding that path's lock.
    if (row.intent.path === lock) removeOrphanTemps(row.intent.path);
  }
  return settled;
}

/** Settles under every lock that is free now; a lock another command holds is that command's to finish. */
export async function settleAll(queue: PersistQueue): Promise<SettledAll> {
  const total: SettledAll = { committed: 0, discarded: 0, failed: [] };
  const locks = [...new Set((await queue.prepared()).map((row) => lockOf(row.intent)))];
  for (const lock of locks) {
    try {
      // The lock withFileLock takes (`<path>.lock`), tried once.
      const s = await withLock(lock, { staleMs: 15_000, waitMs: 0 }, () => settleLock(queue, lock));
      total.committed += s.committed;
      total.discarded += s.discarded;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        // The folder of the lock is gone, and with it the change: nothing can hold that lock.
        const s = await settleLock(queue, lock);
        total.committed += s.committed;
        total.discarded += s.discarded;
      } else if (code !== 'ELOCKED') {
        // One unsettleable change (a folder made read-only, say) must not stop the others.
        total.failed.push(`${lock}: ${(error as Error).message}`);
      }
    }
  }
  return total;
}

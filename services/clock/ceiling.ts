import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../../lib/atomic-write.js';
import { withLockSync } from '../../lib/lock.js';

/** `$SPEC_KITTY_HOME/clock`: the Lamport ceiling, kept outside queue.db. */
export const CLOCK_FILE = 'clock';
/** How far each raise reserves ahead: one file write per this many ticks. */
export const CLOCK_BLOCK = 1000;
const LOCK_WAIT_MS = 10_000;

/**
 * A reservation, kept outside queue.db, that every Lamport value this machine hands out stays
 * at or below: a value is covered before any caller sees it. queue.db may be deleted, replaced
 * or salvaged; this file is what tells a new one where to start.
 *
 * A raise reserves a block ahead, so the file is written once per CLOCK_BLOCK ticks, not per
 * tick. Raises are serialized by a lock beside the file: each reads the file afresh under it and
 * only ever writes a higher value, so two processes racing to raise can never lower it. The
 * write is atomic and fsynced (lib/atomic-write), so a crash leaves the old ceiling or the new.
 */
export class ClockCeiling {
  /** A value the file is known to hold at least (it only grows); -1 before the first read. */
  private known = -1;

  constructor(readonly path: string) {}

  /**
   * The ceiling: the file's value, read now, or a higher one this process saw in it before (the
   * file never goes down, unless damaged). 0 when there is none yet (a new machine, or one from before
   * the file existed, whose queue.db still holds its clock). A file that is not a number is
   * read as 0 too, and rewritten at the next raise: the clock in queue.db still holds.
   */
  read(): number {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return this.remember(0);
      throw new Error(`cannot read the clock ceiling ${this.path}: ${(err as Error).message}`);
    }
    const value = Number(text.trim());
    return this.remember(Number.isSafeInteger(value) && value > 0 ? value : 0);
  }

  /** Makes sure the file's ceiling is at least `value` before `value` is handed out. */
  cover(value: number): void {
    if (value <= this.known) return; // the hot path: no file access
    if (value <= this.read()) return; // once per process, and after another process raised
    withLockSync(this.path, { lockPath: `${this.path}.lock`, waitMs: LOCK_WAIT_MS }, () => {
      const now = this.read();
      if (value <= now) return;
      const next = value + CLOCK_BLOCK;
      writeFileAtomic(this.path, `${next}\n`);
      this.remember(next);
    });
  }

  private remember(value: number): number {
    if (value > this.known) this.known = value;
    return this.known;
  }
}

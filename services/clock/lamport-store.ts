import { dirname, join } from 'node:path';
import { UserError, messageOf } from '../../core/errors.js';
import type { UserDatabase } from '../../core/user-database.js';
import { CLOCK_FILE, ClockCeiling } from './ceiling.js';

// The hot path: one statement on an existing row.
const TICK = `UPDATE clock SET value = value + 1 WHERE name = 'lamport' RETURNING value`;
const WITNESS = `UPDATE clock SET value = max(value, @remote) + 1 WHERE name = 'lamport' RETURNING value`;
// A file without the row: new, re-created after a delete, or made by a salvage. It starts above
// every value it holds (its clock rows, including the one a salvage took from the damaged file,
// and its events' clocks) and above the ceiling file (@floor). Another process may have made
// the row meanwhile: then this is a plain tick.
const START = `INSERT INTO clock (name, value)
  SELECT 'lamport', max(@floor, coalesce((SELECT max(value) FROM clock), 0), coalesce((SELECT max(lamport_clock) FROM events), 0)) + 1
  WHERE true
  ON CONFLICT (name) DO UPDATE SET value = max(value, @remote) + 1 RETURNING value`;

/**
 * The machine's Lamport clock: one row in the per-user database, shared by every process of
 * the user. Each tick is a single statement, so SQLite's write lock makes it atomic across
 * processes: no value is handed out twice, none goes backwards.
 *
 * The clock never restarts below a value this machine already used, even when queue.db is
 * deleted or replaced: every value is covered by the ceiling in `$SPEC_KITTY_HOME/clock`
 * (ClockCeiling) before it is returned, and a file without the clock row starts at
 * max(any value it holds, that ceiling) + 1. The ceiling is raised a block at a time, so the
 * hot path costs no file access. (It replaces the old rule of restarting a replaced file at
 * the epoch seconds, a guess that a lost file made necessary.)
 */
export class LamportStore {
  private readonly ceiling: ClockCeiling;

  constructor(private readonly database: UserDatabase, ceilingPath = join(dirname(database.path), CLOCK_FILE)) {
    this.ceiling = new ClockCeiling(ceilingPath);
  }

  get path(): string {
    return this.database.path;
  }

  tick(): number {
    return this.run(TICK, 0);
  }

  witness(remote: number): number {
    if (!Number.isSafeInteger(remote) || remote < 0) throw new RangeError(`a Lamport clock value must be a non-negative integer, got ${remote}`);
    return this.run(WITNESS, remote);
  }

  private run(sql: string, remote: number): number {
    try {
      const value = this.database.run((db) => {
        const stmt = this.database.statement(db, sql);
        const hot = (sql === TICK ? stmt.get() : stmt.get({ remote })) as { value: number } | undefined;
        if (hot) return hot.value;
        return (this.database.statement(db, START).get({ floor: Math.max(this.ceiling.read(), remote), remote }) as { value: number }).value;
      });
      this.ceiling.cover(value);
      return value;
    } catch (err) {
      if (err instanceof UserError) throw err;
      throw new UserError(`cannot use the machine clock in ${this.path}: ${messageOf(err)}. Check that $SPEC_KITTY_HOME (${dirname(this.path)}) is a writable folder.`);
    }
  }
}

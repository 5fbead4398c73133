import { UserError, messageOf } from '../../core/errors.js';
import type { UserDatabase } from '../../core/user-database.js';

// The first tick on a new file creates the row; a file that replaced a damaged one already has
// it, set high (see QueueDatabase).
const TICK = `INSERT INTO clock (name, value) VALUES ('lamport', 1)
  ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value`;
const WITNESS = `INSERT INTO clock (name, value) VALUES ('lamport', @remote + 1)
  ON CONFLICT (name) DO UPDATE SET value = max(value, @remote) + 1 RETURNING value`;

/**
 * The machine's Lamport clock: one row in the per-user database, shared by every process of
 * the user. Each tick is a single upsert statement, so SQLite's write lock makes it atomic
 * across processes: no value is handed out twice, none goes backwards.
 */
export class LamportStore {
  constructor(private readonly database: UserDatabase) {}

  get path(): string {
    return this.database.path;
  }

  tick(): number {
    return this.run(TICK);
  }

  witness(remote: number): number {
    if (!Number.isSafeInteger(remote) || remote < 0) throw new RangeError(`a Lamport clock value must be a non-negative integer, got ${remote}`);
    return this.run(WITNESS, { remote });
  }

  private run(sql: string, params?: Record<string, number>): number {
    try {
      return this.database.run((db) => {
        const stmt = this.database.statement(db, sql);
        return ((params ? stmt.get(params) : stmt.get()) as { value: number }).value;
      });
    } catch (err) {
      if (err instanceof UserError) throw err;
      throw new UserError(`cannot use the machine clock in ${this.path}: ${messageOf(err)}. Check that $SPEC_KITTY_HOME (${this.path.replace(/[\\/][^\\/]+$/, '')}) is a writable folder.`);
    }
  }
}

import { mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { UserError, messageOf } from '../errors.js';
import { isCorruption } from '../sqlite/errors.js';
import { openSqlite } from '../sqlite/open.js';
import type { Logger } from '../logger.js';

export const CLOCK_FILE = 'clock.db';

interface Statements {
  db: BetterSqlite3.Database;
  tick: BetterSqlite3.Statement<[], { value: number }>;
  witness: BetterSqlite3.Statement<[{ remote: number }], { value: number }>;
}

/**
 * The machine's Lamport clock: one row in a tiny SQLite file under $SPEC_KITTY_HOME, shared
 * by every process of the user. Each tick is a single upsert statement, so SQLite's write
 * lock makes it atomic across processes: no value is handed out twice, none goes backwards.
 */
export class LamportStore {
  private statements?: Statements;

  constructor(private readonly home: string, private readonly logger: Logger) {}

  get path(): string {
    return join(this.home, CLOCK_FILE);
  }

  tick(): number {
    return this.run((s) => s.tick.get()!.value);
  }

  witness(remote: number): number {
    if (!Number.isSafeInteger(remote) || remote < 0) throw new RangeError(`a Lamport clock value must be a non-negative integer, got ${remote}`);
    return this.run((s) => s.witness.get({ remote })!.value);
  }

  close(): void {
    this.statements?.db.close();
    this.statements = undefined;
  }

  private run(fn: (s: Statements) => number): number {
    try {
      return fn(this.open());
    } catch (err) {
      if (!isCorruption(err)) throw this.explain(err);
      // A broken clock must not stop the command: keep the file for inspection, start a new one.
      const seed = this.quarantine(err);
      try {
        const s = this.open();
        s.db.prepare(`INSERT INTO clock (name, value) VALUES ('lamport', @seed)
          ON CONFLICT (name) DO UPDATE SET value = max(value, @seed)`).run({ seed });
        return fn(s);
      } catch (again) {
        throw this.explain(again);
      }
    }
  }

  private open(): Statements {
    if (this.statements) return this.statements;
    mkdirSync(this.home, { recursive: true, mode: 0o700 });
    // Opened on first tick, never at import: a command that emits nothing never pays for the driver.
    const db = openSqlite(this.path, 10_000);
    try {
      db.pragma('journal_mode = WAL');
      // WAL + NORMAL survives a crashed process; an fsync per tick would cap emit throughput.
      db.pragma('synchronous = NORMAL');
      db.exec('CREATE TABLE IF NOT EXISTS clock (name TEXT PRIMARY KEY, value INTEGER NOT NULL)');
      this.statements = {
        db,
        tick: db.prepare(`INSERT INTO clock (name, value) VALUES ('lamport', 1)
          ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value`),
        witness: db.prepare(`INSERT INTO clock (name, value) VALUES ('lamport', @remote + 1)
          ON CONFLICT (name) DO UPDATE SET value = max(value, @remote) + 1 RETURNING value`),
      };
      return this.statements;
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /** Moves the corrupt database aside and returns a value the new clock must start above. */
  private quarantine(cause: unknown): number {
    this.close();
    const aside = `${this.path}.corrupt-${new Date().toISOString().replace(/[-:.]/g, '')}-${process.pid}`;
    for (const suffix of ['', '-wal', '-shm']) {
      try {
        renameSync(this.path + suffix, aside + suffix);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw this.explain(err);
      }
    }
    this.logger.warn(`the machine clock ${this.path} was unreadable (${messageOf(cause)}); kept it as ${aside} and started a new one`);
    // The old value is lost with the file. A Lamport clock may jump forward but never back, so
    // restart above anything this machine could plausibly have reached: seconds since the epoch.
    return Math.floor(Date.now() / 1000);
  }

  private explain(err: unknown): Error {
    if (err instanceof UserError) return err;
    return new UserError(`cannot use the machine clock at ${this.path}: ${messageOf(err)}. Check that $SPEC_KITTY_HOME (${this.home}) is a writable folder.`);
  }
}

import type Database from 'better-sqlite3';
import type { Closable } from './services.js';

/**
 * The per-user SQLite file (`$SPEC_KITTY_HOME/queue.db`) that the queue and the machine clock
 * share: one open, one WAL and one close per command. Opened on first use.
 */
export interface UserDatabase extends Closable {
  readonly path: string;
  /** Readers never create the file: reporting an empty queue must not leave one behind. */
  exists(): boolean;
  /** Runs `fn` on the open database; a file found damaged is moved aside, made anew, and `fn` runs once more. */
  run<T>(fn: (db: Database.Database) => T): T;
  /** `sql` prepared once per connection. */
  statement(db: Database.Database, sql: string): Database.Statement;
  /** A write transaction that survives power loss, not only a crash. */
  durably<T>(db: Database.Database, fn: () => T): T;
}

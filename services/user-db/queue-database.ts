import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { inject, injectable, optional } from 'inversify';
import type { RuntimeOptions } from '../../core/services.js';
import type { UserDatabase } from '../../core/user-database.js';
import { TOKENS } from '../../core/tokens.js';
import type { Logger } from '../../lib/logger.js';
import { queueUnavailable } from './errors.js';
import { isAccessProblem, isCorruption } from './sqlite/errors.js';
import { fileIdentity } from './move-aside.js';
import { openQueueDatabase, recoverCorruptFile, type OpenedDatabase } from './open-database.js';
import { isMovedAside } from './swap-fence.js';

export const QUEUE_FILE = 'queue.db';
export const queuePath = (home: string) => join(home, QUEUE_FILE);

/**
 * The per-user SQLite file `$SPEC_KITTY_HOME/queue.db`: the offline queue and the machine
 * clock, one connection per process, opened on first use. Sharing one file keeps an emitting
 * command at one open, one WAL and one close.
 */
@injectable()
export class QueueDatabase implements UserDatabase {
  readonly path: string;
  private opened?: OpenedDatabase;
  private readonly statements = new WeakMap<Database.Database, Map<string, Database.Statement>>();

  constructor(
    @inject(TOKENS.Options) options: Pick<RuntimeOptions, 'home'>,
    @inject(TOKENS.Logger) private readonly logger: Logger,
    @inject(TOKENS.SqliteAddon) @optional() private readonly addon?: () => object,
  ) {
    this.path = queuePath(options.home);
  }

  /** Readers never create the file: reporting an empty queue must not leave one behind. */
  exists(): boolean {
    return this.opened !== undefined || existsSync(this.path);
  }

  /**
   * Runs `fn` on the open database (opening it first). Damage found mid-run gets the same
   * treatment as at open: the readable rows are salvaged into a new file, the damaged one is
   * kept aside, and `fn` runs once more. A file that turns out read-only for this user (the
   * open succeeds, the first write does not) is reported as the permission problem it is.
   *
   * Another process may have salvaged queue.db while this one held it open (a command waiting
   * for a lock, a drainer mid-batch): SQLite would go on writing to the file kept aside, and
   * those events would never be sent. So each run first checks that queue.db is still the file
   * this connection opened (one stat), and opens it anew if not; a write that raced the swap
   * meets the fence the salvage left on the old file (see swap-fence.ts) and runs again here.
   */
  run<T>(fn: (db: Database.Database) => T): T {
    for (let attempt = 1; ; attempt++) {
      const opened = this.current();
      try {
        return fn(opened.db);
      } catch (error) {
        if (isAccessProblem(error)) throw queueUnavailable(this.path, error);
        if (attempt >= 3) throw error;
        if (isMovedAside(error)) {
          this.drop();
          continue;
        }
        if (!isCorruption(error)) throw error;
        this.drop();
        recoverCorruptFile(this.path, opened.identity, error, this.logger, this.addon);
      }
    }
  }

  /** `sql` prepared once per connection (a recovered file means a new connection). */
  statement(db: Database.Database, sql: string): Database.Statement {
    let cache = this.statements.get(db);
    if (!cache) this.statements.set(db, (cache = new Map()));
    let stmt = cache.get(sql);
    if (!stmt) cache.set(sql, (stmt = db.prepare(sql)));
    return stmt;
  }

  /**
   * Runs a write transaction that survives power loss, not only a crash: FULL fsyncs the WAL at
   * its commit, and with it every earlier frame (the clock ticks of the events it holds).
   */
  durably<T>(db: Database.Database, fn: () => T): T {
    db.pragma('synchronous = FULL');
    try {
      return db.transaction(fn).immediate();
    } finally {
      db.pragma('synchronous = NORMAL');
    }
  }

  close(): void {
    const opened = this.opened;
    this.opened = undefined;
    opened?.db.close();
  }

  /** The connection to the file now at `path`: a file replaced since it was opened is let go. */
  private current(): OpenedDatabase {
    if (this.opened && fileIdentity(this.path) !== this.opened.identity) this.drop();
    return (this.opened ??= this.open());
  }

  /**
   * Closes the connection. On a file moved aside, SQLite neither checkpoints it nor deletes the
   * -wal that `path` names (the live file's): it checks the path still names the file it opened.
   */
  private drop(): void {
    const opened = this.opened;
    this.opened = undefined;
    try {
      opened?.db.close();
    } catch { /* nothing to flush on a broken file */ }
  }

  private open(): OpenedDatabase {
    return openQueueDatabase(this.path, this.logger, this.addon);
  }
}

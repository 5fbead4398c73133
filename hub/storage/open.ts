import { createSqliteStorage } from './sqlite/index.js';
import type { HubStorage } from './storage.js';

/** The storage a `--db` value names: a SQLite file, or (not built yet) a postgres:// URL. */
export function openHubStorage(db: string, options: { nativeBinding?: object } = {}): HubStorage {
  if (/^postgres(ql)?:\/\//i.test(db)) {
    throw new Error('PostgreSQL storage is not available in this version of the hub yet; use a SQLite file (--db FILE)');
  }
  return createSqliteStorage({ file: db, nativeBinding: options.nativeBinding });
}

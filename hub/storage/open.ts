import { createPostgresStorage } from './postgres/index.js';
import { createSqliteStorage } from './sqlite/index.js';
import type { HubStorage } from './storage.js';

/** The storage a `--db` value names: a postgres:// (or postgresql://) URL, else a SQLite file. */
export function openHubStorage(db: string, options: { nativeBinding?: object } = {}): HubStorage {
  if (/^postgres(ql)?:\/\//i.test(db)) return createPostgresStorage({ url: db });
  return createSqliteStorage({ file: db, nativeBinding: options.nativeBinding });
}

import Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let addon: object | undefined;

/**
 * better-sqlite3's JavaScript is bundled (and so code-cached) with the CLI; only its native
 * addon loads from node_modules, on the first open, found directly rather than through the
 * `bindings` package's search. A command that opens no database never loads it.
 */
function nativeAddon(): object {
  if (!addon) {
    const require = createRequire(import.meta.url);
    const pkg = require.resolve('better-sqlite3/package.json');
    addon = require(join(dirname(pkg), 'build', 'Release', 'better_sqlite3.node')) as object;
  }
  return addon;
}

/** Opens (creating) a SQLite file that waits up to `timeoutMs` for another process's lock. */
export function openSqlite(path: string, timeoutMs: number): Database.Database {
  // The driver takes the loaded addon object too; its typings only name the path form.
  return new Database(path, { timeout: timeoutMs, nativeBinding: nativeAddon() as unknown as string });
}

export type { Database };

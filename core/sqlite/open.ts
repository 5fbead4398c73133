import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ADDON = join('better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
let addon: object | undefined;

/** The addon in the nearest node_modules up from this file, the folders Node's own lookup tries first. */
function nearestAddon(): string | null {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', ADDON);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

/**
 * better-sqlite3's JavaScript is bundled (and so code-cached) with the CLI; only its native
 * addon loads from node_modules, on the first open. It is found by a walk up the folders and
 * loaded with process.dlopen: the `bindings` package's search, or even require.resolve and
 * require, cost about 1 ms more. require.resolve stays as the fallback for unusual layouts.
 */
function nativeAddon(): object {
  if (!addon) {
    const found = nearestAddon();
    if (found) {
      const module = { exports: {} };
      process.dlopen(module, found);
      addon = module.exports;
    } else {
      const require = createRequire(import.meta.url);
      addon = require(join(dirname(require.resolve('better-sqlite3/package.json')), '..', ADDON)) as object;
    }
  }
  return addon;
}

/** Opens (creating) a SQLite file that waits up to `timeoutMs` for another process's lock. */
export function openSqlite(path: string, timeoutMs: number): Database.Database {
  // The driver takes the loaded addon object too; its typings only name the path form.
  return new Database(path, { timeout: timeoutMs, nativeBinding: nativeAddon() as unknown as string });
}

export type { Database };

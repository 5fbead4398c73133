import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findUp } from '../../lib/find-up.js';

const PACKAGE = join('node_modules', 'better-sqlite3');
const ADDON = join('build', 'Release', 'better_sqlite3.node');
let addon: object | undefined;

/**
 * The addon of the nearest node_modules/better-sqlite3 up from this file: the package Node's
 * own lookup would find first. Null when that package has no built addon, or there is none.
 */
function nearestAddon(): string | null {
  const top = findUp(dirname(fileURLToPath(import.meta.url)), (dir) => existsSync(join(dir, PACKAGE, 'package.json')));
  const file = top && join(top, PACKAGE, ADDON);
  return file && existsSync(file) ? file : null;
}

/**
 * better-sqlite3's JavaScript is bundled (and so code-cached) with the CLI; only its native
 * addon loads from node_modules, on the first open. It is found by a walk up the folders and
 * loaded with process.dlopen: the `bindings` package's search, or even require.resolve and
 * require, cost about 1 ms more. require.resolve stays as the fallback (NODE_PATH, a package
 * whose addon is missing, where it fails with Node's own message).
 */
export function sqliteAddon(): object {
  if (!addon) {
    const found = nearestAddon();
    if (found) {
      const module = { exports: {} };
      process.dlopen(module, found);
      addon = module.exports;
    } else {
      const require = createRequire(import.meta.url);
      addon = require(join(dirname(require.resolve('better-sqlite3/package.json')), ADDON)) as object;
    }
  }
  return addon;
}

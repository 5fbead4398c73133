import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let addon: object | undefined;

/**
 * better-sqlite3's native addon, for the driver's `nativeBinding`. The bundle carries the
 * driver's JavaScript, whose own addon search starts beside the calling file: beside the
 * bundle, where no addon is. The addon stays in node_modules, found as Node finds packages.
 */
export function sqliteAddon(): object {
  if (!addon) {
    const require = createRequire(import.meta.url);
    addon = require(join(dirname(require.resolve('better-sqlite3/package.json')), 'build', 'Release', 'better_sqlite3.node')) as object;
  }
  return addon;
}

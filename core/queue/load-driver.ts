import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';

type Driver = typeof Database;
let driver: Driver | undefined;

/**
 * The native driver loads on first use, never at import: a command that queues nothing pays
 * nothing for it, and the bundle keeps it external (a native addon cannot be bundled).
 */
export function sqliteDriver(): Driver {
  return (driver ??= createRequire(import.meta.url)('better-sqlite3') as Driver);
}

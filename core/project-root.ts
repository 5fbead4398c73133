import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const KITTIFY_DIR = '.kittify';

/** The nearest folder at or above `cwd` that holds `.kittify/`, or null outside any project. */
export function findProjectRoot(cwd: string): string | null {
  let dir = resolve(cwd);
  for (;;) {
    const candidate = join(dir, KITTIFY_DIR);
    if (existsSync(candidate) && statSync(candidate).isDirectory()) return dir;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

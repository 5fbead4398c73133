import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** The nearest folder at or above `from` for which `found` holds; null once the root is passed. */
export function findUp(from: string, found: (dir: string) => boolean): string | null {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (found(dir)) return dir;
    if (dirname(dir) === dir) return null;
  }
}

export const isDirectory = (path: string): boolean => statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;

import { join } from 'node:path';
import { findUp, isDirectory } from '../../lib/find-up.js';

export const KITTIFY_DIR = '.kittify';

/** The nearest folder at or above `cwd` that holds `.kittify/`, or null outside any project. */
export function findProjectRoot(cwd: string): string | null {
  return findUp(cwd, (dir) => isDirectory(join(dir, KITTIFY_DIR)));
}

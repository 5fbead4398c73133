import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gitDirOf } from '../../lib/git-dir.js';

/**
 * The checked-out branch, read from HEAD: it is on the path of every lane command.
 * Null when detached, outside git, or unreadable.
 */
export function currentBranch(from: string): string | null {
  try {
    const gitDir = gitDirOf(from);
    if (!gitDir) return null;
    const m = /^ref:\s*refs\/heads\/(.+?)\s*$/m.exec(readFileSync(join(gitDir, 'HEAD'), 'utf8'));
    return m ? m[1] : null;
  } catch {
    return null;
  }
}

import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findUp } from '../../lib/find-up.js';

/**
 * The git dir of the repository around `from`, read from the files rather than by running git
 * (a spawn would cost more than the command): `.git` itself, or for worktrees and submodules
 * the folder its `gitdir:` line points at. Null outside git or when `.git` is unreadable.
 */
export function gitDirOf(from: string): string | null {
  const top = findUp(from, (dir) => existsSync(join(dir, '.git')));
  if (!top) return null;
  const dotGit = join(top, '.git');
  if (statSync(dotGit).isDirectory()) return dotGit;
  const m = /^gitdir:\s*(.+?)\s*$/m.exec(readFileSync(dotGit, 'utf8'));
  return m ? resolve(top, m[1]) : null;
}

/** Where a git dir keeps what its worktrees share, such as `config`: named by its `commondir` file. */
export function commonGitDir(gitDir: string): string {
  try {
    return resolve(gitDir, readFileSync(join(gitDir, 'commondir'), 'utf8').trim());
  } catch {
    return gitDir; // the main worktree
  }
}

import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findUp } from './find-up.js';

/** A repository found from a folder: its work tree's top folder and its git dir. */
export interface GitRepository {
  /** The folder holding `.git` (a folder, or a file for worktrees and submodules). */
  top: string;
  /** Where git keeps this work tree's HEAD: `.git`, or what its `gitdir:` line names. */
  gitDir: string;
}

/**
 * The repository around `from`, read from the files rather than by running git: a spawn
 * costs more than a lane command, and git refuses (safe.directory) to read a repository
 * another user owns, where the files are still readable. `.git` is a folder, or for linked
 * worktrees and submodules a file whose `gitdir:` line points at the git dir (relative to the
 * folder holding it). Null outside git or when `.git` is unreadable.
 */
export function findGitRepository(from: string): GitRepository | null {
  const top = findUp(from, (dir) => existsSync(join(dir, '.git')));
  if (!top) return null;
  const dotGit = join(top, '.git');
  try {
    if (statSync(dotGit).isDirectory()) return { top, gitDir: dotGit };
    const m = /^gitdir:\s*(.+?)\s*$/m.exec(readFileSync(dotGit, 'utf8'));
    return m ? { top, gitDir: resolve(top, m[1]) } : null;
  } catch {
    return null;
  }
}

/** The git dir of the repository around `from` (see findGitRepository), or null. */
export function gitDirOf(from: string): string | null {
  return findGitRepository(from)?.gitDir ?? null;
}

/**
 * Where a git dir keeps what its worktrees share, such as `config` and the remotes: named by
 * its `commondir` file (relative to the git dir), or the git dir itself for a main work tree.
 */
export function commonGitDir(gitDir: string): string {
  try {
    return resolve(gitDir, readFileSync(join(gitDir, 'commondir'), 'utf8').trim());
  } catch {
    return gitDir; // the main worktree
  }
}

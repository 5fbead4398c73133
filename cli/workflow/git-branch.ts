import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The checked-out branch, read from .git/HEAD rather than by running git: it is on the
 * path of every lane command, and a process spawn would cost more than the command itself.
 * Null when detached, outside git, or unreadable.
 */
export function currentBranch(from: string): string | null {
  try {
    for (let dir = resolve(from); ; dir = dirname(dir)) {
      const dotGit = join(dir, '.git');
      if (existsSync(dotGit)) return branchOf(dotGit);
      if (dirname(dir) === dir) return null;
    }
  } catch {
    return null;
  }
}

function branchOf(dotGit: string): string | null {
  let gitDir = dotGit;
  if (statSync(dotGit).isFile()) {
    // Worktrees and submodules: `.git` is a file pointing at the real git dir.
    const m = /^gitdir:\s*(.+?)\s*$/m.exec(readFileSync(dotGit, 'utf8'));
    if (!m) return null;
    gitDir = resolve(dirname(dotGit), m[1]);
  }
  const head = readFileSync(join(gitDir, 'HEAD'), 'utf8');
  const m = /^ref:\s*refs\/heads\/(.+?)\s*$/m.exec(head);
  return m ? m[1] : null;
}

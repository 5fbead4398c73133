import { execFileSync } from 'node:child_process';

/** `git remote get-url origin` in `dir`, or null (no git, not a repository, no origin). */
export function originUrl(dir: string): string | null {
  try {
    const url = execFileSync('git', ['remote', 'get-url', 'origin'], {
      cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000,
    }).trim();
    return url || null;
  } catch {
    return null;
  }
}

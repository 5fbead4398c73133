import { execFileSync } from 'node:child_process';
import { userInfo } from 'node:os';
import { readGitUser } from './git-user.js';

/**
 * Who is making a change (`changed_by`, activity log): git's user.name, else user.email,
 * else the OS account. The config files are read directly; git itself is asked only when
 * they use includes, which only git can resolve.
 */
export function currentActor(cwd: string): string {
  try {
    const fromFiles = readGitUser(cwd);
    if (!fromFiles.hasIncludes && (fromFiles.name || fromFiles.email)) return (fromFiles.name ?? fromFiles.email)!;
    if (fromFiles.hasIncludes) {
      const fromGit = askGit(cwd);
      if (fromGit) return fromGit;
    }
  } catch { /* unreadable config: fall back to the OS account */ }
  try {
    return userInfo().username || 'unknown';
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

function askGit(cwd: string): string | null {
  try {
    const out = execFileSync('git', ['config', '--get-regexp', '^user\\.(name|email)$'], {
      cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000,
    });
    const values = new Map<string, string>();
    for (const line of out.split('\n')) {
      const m = /^user\.(name|email) (.*)$/i.exec(line.trim());
      // Later lines are more specific (repository over global), as git resolves them.
      if (m && m[2].trim()) values.set(m[1].toLowerCase(), m[2].trim());
    }
    return values.get('name') ?? values.get('email') ?? null;
  } catch {
    return null;
  }
}

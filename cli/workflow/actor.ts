import { execFileSync } from 'node:child_process';
import { userInfo } from 'node:os';

/**
 * Who is making a change (`changed_by`, activity log): git's user.name, else user.email,
 * else the OS account. One git call for both keys keeps the lane commands fast.
 */
export function currentActor(cwd: string): string {
  try {
    const out = execFileSync('git', ['config', '--get-regexp', '^user\\.(name|email)$'], {
      cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000,
    });
    const values = new Map<string, string>();
    for (const line of out.split('\n')) {
      const m = /^user\.(name|email) (.*)$/i.exec(line.trim());
      // Later lines are more specific (repo over global), as git itself resolves them.
      if (m && m[2].trim()) values.set(m[1].toLowerCase(), m[2].trim());
    }
    const who = values.get('name') ?? values.get('email');
    if (who) return who;
  } catch { /* no git, or nothing configured: fall back to the OS account */ }
  try {
    return userInfo().username || 'unknown';
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

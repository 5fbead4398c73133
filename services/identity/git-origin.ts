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

/**
 * One spelling per repository, so clones using ssh, scp-like or https remotes of the same
 * repository derive the same identity: `host/owner/repo`. Local paths are kept as they are.
 */
export function canonicalRemote(url: string): string {
  const trimmed = url.trim();
  const clean = (path: string) => path.replace(/\.git\/*$/i, '').replace(/^\/+|\/+$/g, '');
  const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/\/)(.+)$/.exec(trimmed);
  if (scp && !/^[a-z]:[\\/]/i.test(trimmed)) return `${scp[1].toLowerCase()}/${clean(scp[2])}`;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    try {
      const u = new URL(trimmed);
      if (u.protocol !== 'file:') return `${u.hostname.toLowerCase()}/${clean(decodeURIComponent(u.pathname))}`;
    } catch {
      // not a URL after all: fall through
    }
  }
  return trimmed;
}

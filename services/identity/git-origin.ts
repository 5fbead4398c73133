import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gitConfigValues, parseGitConfig } from '../../lib/git-config.js';
import { commonGitDir, findGitRepository } from '../../lib/git-dir.js';

/** The origin remote of the repository around a folder, and that repository's top folder. */
export interface Origin {
  url: string;
  top: string;
}

/**
 * The `origin` remote of the repository around `dir` (its first `remote.origin.url`, as
 * `git remote get-url origin` prints it), read from the repository's own config file, or
 * null (not a repository, no origin, unreadable). Not by running git: git refuses to read a
 * repository another user owns (safe.directory), and the derived project uuid must be the
 * same for every user. For the same reason the user's own settings (`url.*.insteadOf` in
 * ~/.gitconfig) are not applied.
 */
export function originOf(dir: string): Origin | null {
  const repo = findGitRepository(dir);
  if (!repo) return null;
  let text: string;
  try {
    text = readFileSync(join(commonGitDir(repo.gitDir), 'config'), 'utf8');
  } catch {
    return null;
  }
  const url = gitConfigValues(parseGitConfig(text), 'remote', 'origin', 'url').find((v) => v)?.trim();
  return url ? { url, top: repo.top } : null;
}

/** The origin remote's URL of the repository around `dir` (see originOf), or null. */
export function originUrl(dir: string): string | null {
  return originOf(dir)?.url ?? null;
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

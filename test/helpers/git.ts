import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './cli.js';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' } }).trim();

/** A real git repository in a temp folder, optionally with an `origin` remote. */
export function makeGitRepo(options: { origin?: string; name?: string } = {}): string {
  const parent = tempDir('sk-repo-');
  const dir = join(parent, options.name ?? 'repo');
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.email', 'test@example.com');
  git(dir, 'config', 'user.name', 'Test User');
  if (options.origin) git(dir, 'remote', 'add', 'origin', options.origin);
  return dir;
}

export { git };

import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseGitConfig } from '../../lib/git-config.js';
import { commonGitDir, gitDirOf } from '../../lib/git-dir.js';

export interface GitUser {
  name?: string;
  email?: string;
  /** True when a file uses include/includeIf: only git itself can resolve those. */
  hasIncludes: boolean;
}

/** Reads user.name/user.email from one git config file into `into` (later files override). */
function readInto(path: string, into: GitUser): void {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return;
  }
  for (const { section, subsection, key, value } of parseGitConfig(text)) {
    if (section === 'include' || section === 'includeif') into.hasIncludes = true;
    if (section !== 'user' || subsection !== null || !value) continue;
    if (key === 'name' || key === 'email') into[key] = value;
  }
}

/**
 * user.name and user.email as git resolves them (system, global, repository; last wins),
 * read from the files: spawning git costs more than the rest of a lane command.
 */
export function readGitUser(cwd: string, env: NodeJS.ProcessEnv = process.env): GitUser {
  const user: GitUser = { hasIncludes: false };
  const home = env.HOME || homedir();
  if (!env.GIT_CONFIG_NOSYSTEM) readInto(env.GIT_CONFIG_SYSTEM || '/etc/gitconfig', user);
  if (env.GIT_CONFIG_GLOBAL) readInto(env.GIT_CONFIG_GLOBAL, user);
  else {
    readInto(join(env.XDG_CONFIG_HOME || join(home, '.config'), 'git', 'config'), user);
    readInto(join(home, '.gitconfig'), user);
  }
  const gitDir = gitDirOf(cwd);
  if (gitDir) readInto(join(commonGitDir(gitDir), 'config'), user);
  return user;
}

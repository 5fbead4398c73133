import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { commonGitDir, gitDirOf } from './git-dir.js';

export interface GitUser {
  name?: string;
  email?: string;
  /** True when a file uses include/includeIf: only git itself can resolve those. */
  hasIncludes: boolean;
}

function unquote(raw: string): string {
  let out = '';
  let quoted = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '"') quoted = !quoted;
    else if (c === '\\' && i + 1 < raw.length) {
      const n = raw[++i];
      out += n === 'n' ? '\n' : n === 't' ? '\t' : n;
    } else if (!quoted && (c === '#' || c === ';')) break;
    else out += c;
  }
  return out.trim();
}

/** Reads user.name/user.email from one git config file into `into` (later files override). */
function readInto(path: string, into: GitUser): void {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return;
  }
  let section = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const header = /^\[\s*([A-Za-z0-9.-]+)(?:\s+"[^"]*")?\s*\](.*)$/.exec(line);
    if (header) {
      section = header[1].toLowerCase();
      if (section === 'include' || section === 'includeif') into.hasIncludes = true;
      continue;
    }
    if (section !== 'user') continue;
    const kv = /^([A-Za-z][A-Za-z0-9-]*)\s*=\s*(.*)$/.exec(line);
    if (!kv) continue;
    const key = kv[1].toLowerCase();
    const value = unquote(kv[2]);
    if ((key === 'name' || key === 'email') && value) into[key] = value;
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

import { mkdirSync, readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../../lib/atomic-write.js';
import { createHash } from 'node:crypto';

export const NODE_ID_FILE = 'node-id';
const NODE_ID = /^[0-9a-f]{12}$/;

function username(): string {
  // userInfo() throws for a uid with no passwd entry (some containers); the env is the next best name.
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? String(process.getuid?.() ?? 'unknown');
  }
}

const derive = (name: string) => createHash('sha256').update(name).digest('hex').slice(0, 12);

/**
 * This machine's id: the first 12 hex chars of SHA-256 of `hostname:username` (DESIGN §3).
 * Derived, never kept in a repository, so two clones of one repository never share an id.
 *
 * With `home`, the result is remembered in `$SPEC_KITTY_HOME/node-id` next to the name it was
 * derived from, because hashing means loading node:crypto, a noticeable share of an emitting
 * command's start-up. A renamed host or user no longer matches the name kept, and is derived anew.
 */
export function machineNodeId(home?: string): string {
  const name = `${hostname()}:${username()}`;
  if (home === undefined) return derive(name);
  const file = join(home, NODE_ID_FILE);
  try {
    const [id, keptName] = readFileSync(file, 'utf8').split('\n');
    if (keptName === name && NODE_ID.test(id)) return id;
  } catch { /* not remembered yet */ }
  const id = derive(name);
  try {
    mkdirSync(home, { recursive: true, mode: 0o700 });
    writeFileAtomic(file, `${id}\n${name}\n`);
  } catch { /* a read-only home: derive it every run */ }
  return id;
}

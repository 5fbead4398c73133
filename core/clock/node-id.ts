import { createHash } from 'node:crypto';
import { hostname, userInfo } from 'node:os';

function username(): string {
  // userInfo() throws for a uid with no passwd entry (some containers); the env is the next best name.
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? String(process.getuid?.() ?? 'unknown');
  }
}

/**
 * This machine's id: the first 12 hex chars of SHA-256 of `hostname:username` (DESIGN §3).
 * Derived, never stored, so two clones of one repository never share an id.
 */
export function machineNodeId(): string {
  return createHash('sha256').update(`${hostname()}:${username()}`).digest('hex').slice(0, 12);
}

import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Per-user state (queue, clock, credentials) lives here; tests point it at a temp folder. */
export function specKittyHome(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.SPEC_KITTY_HOME;
  return fromEnv && fromEnv.trim() !== '' ? resolve(fromEnv) : join(homedir(), '.spec-kitty');
}

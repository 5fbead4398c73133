import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const CREDENTIALS_FILE = 'credentials.json';
/** Bumped when the stored shape changes; a file of another version is not guessed at. */
export const CREDENTIALS_VERSION = 1;

export const credentialsPath = (home: string) => join(home, CREDENTIALS_FILE);

/** What a login stores under $SPEC_KITTY_HOME (DESIGN §6 token response, plus where it came from). */
export interface Credentials {
  hub_url: string;
  username: string;
  /** The team events are attributed to; null when the hub gave none. */
  team_slug: string | null;
  access_token: string;
  refresh_token: string;
  /** ISO-8601 instants. */
  access_expires_at?: string;
  refresh_expires_at?: string;
}

export interface StoredCredentials extends Credentials {
  version: typeof CREDENTIALS_VERSION;
}

export class CredentialsError extends Error {
  constructor(readonly file: string, detail: string) {
    super(`${file}: ${detail}`);
    this.name = 'CredentialsError';
  }
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);

/**
 * Reads the stored login directly as JSON, without conf: conf (and ajv with it) costs more
 * to import than an emitting command's whole budget. Null when there is no file.
 */
export function readCredentials(home: string): StoredCredentials | null {
  const file = credentialsPath(home);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CredentialsError(file, (err as Error).message);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new CredentialsError(file, `not valid JSON (${(err as Error).message})`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new CredentialsError(file, 'not a JSON object');
  const d = data as Record<string, unknown>;
  if (Object.keys(d).length === 0) return null;
  if (d.version !== CREDENTIALS_VERSION) {
    throw new CredentialsError(file, `unsupported version ${JSON.stringify(d.version)} (this spec-kitty reads version ${CREDENTIALS_VERSION})`);
  }
  return {
    version: CREDENTIALS_VERSION,
    hub_url: str(d.hub_url) ?? '',
    username: str(d.username) ?? '',
    team_slug: str(d.team_slug),
    access_token: str(d.access_token) ?? '',
    refresh_token: str(d.refresh_token) ?? '',
    ...(str(d.access_expires_at) ? { access_expires_at: d.access_expires_at as string } : {}),
    ...(str(d.refresh_expires_at) ? { refresh_expires_at: d.refresh_expires_at as string } : {}),
  };
}

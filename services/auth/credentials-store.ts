import { mkdirSync, rmSync } from 'node:fs';
import { CREDENTIALS_FILE, CREDENTIALS_VERSION, credentialsPath, type Credentials, type StoredCredentials } from './credentials.js';

const nullableString = { type: ['string', 'null'] } as const;
const SCHEMA = {
  version: { const: CREDENTIALS_VERSION },
  hub_url: { type: 'string' },
  username: { type: 'string' },
  team_slug: nullableString,
  access_token: { type: 'string' },
  refresh_token: { type: 'string' },
  access_expires_at: { type: 'string' },
  refresh_expires_at: { type: 'string' },
} as const;

/** Stores a login (owner-only file, schema-checked). conf is loaded here, on the write path only. */
export async function saveCredentials(home: string, credentials: Credentials): Promise<string> {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const { default: Conf } = await import('conf');
  const store = new Conf<StoredCredentials>({
    cwd: home,
    configName: CREDENTIALS_FILE.replace(/\.json$/, ''),
    configFileMode: 0o600,
    // A broken file is replaced by the new login rather than blocking it.
    clearInvalidConfig: true,
    schema: SCHEMA as never,
  });
  store.store = { version: CREDENTIALS_VERSION, ...credentials };
  return store.path;
}

/** Forgets the stored login; events are stamped team "local" afterwards. */
export function clearCredentials(home: string): void {
  rmSync(credentialsPath(home), { force: true });
}

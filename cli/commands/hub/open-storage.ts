import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UserError } from '../../../core/errors.js';
import { redactUrl } from '../../../lib/redact-url.js';
import type { HubStorage } from '../../../hub/index.js';
import { specKittyHome } from '../../home.js';
import { sqliteAddon } from '../../launcher/sqlite-addon.js';
import { loadHub } from './load-hub.js';

/** The hub database of `--db`, or `$SPEC_KITTY_HOME/hub.db`, migrated and ready. */
export async function openStorage(db: string | undefined): Promise<{ storage: HubStorage; where: string; hub: Awaited<ReturnType<typeof loadHub>> }> {
  const hub = await loadHub();
  const where = db === undefined ? join(specKittyHome(), 'hub.db') : /^postgres(ql)?:\/\//i.test(db) ? db : resolve(db);
  if (!/^postgres(ql)?:\/\//i.test(where)) mkdirSync(dirname(where), { recursive: true, mode: 0o700 });
  let storage: HubStorage | undefined;
  try {
    storage = hub.openHubStorage(where, { nativeBinding: sqliteAddon() });
    await storage.migrate();
  } catch (error) {
    await storage?.close().catch(() => undefined);
    // The database cannot be used (unreachable, a newer schema, not a database): say so, no stack.
    if ((error as Error).name === 'HubStorageError') throw new UserError(`${(error as Error).message}; check --db and that the database is up`);
    throw error;
  }
  return { storage, where: /^postgres(ql)?:\/\//i.test(where) ? redactUrl(where, 'the PostgreSQL database') : where, hub };
}

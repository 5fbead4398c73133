import type { ExecutionContext } from 'ava';
import { join } from 'node:path';
import { closeServices, createServices, pluginServices } from '../../../cli/composition-root.js';
import type { Envelope } from '../../../contract/index.js';
import type { PluginServices } from '../../../core/plugin.js';
import type { QueuedEvent } from '../../../core/services.js';
import { TOKENS } from '../../../core/tokens.js';
import { createLogger } from '../../../lib/logger.js';
import { createBatchSync, validateOptions, type BatchSyncOptions } from '../../../plugins/batch-sync/drain.js';
import { saveCredentials } from '../../../services/auth/credentials-store.js';
import { credentialsFromToken } from '../../../services/auth/refresh.js';
import { tempDir } from '../../helpers/cli.js';
import { envelope, PROJECT_A } from '../../helpers/envelope.js';

export { PROJECT_A, PROJECT_B } from '../../helpers/envelope.js';
export const PROJECT_C = '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f';

/** One process's services on `home` (a temp folder, never the real home); closed at teardown. */
export function syncServices(t: ExecutionContext, home = join(tempDir('sk-bsync-'), 'home')) {
  const log: string[] = [];
  const logger = createLogger({ color: false, verbose: true, write: (l) => log.push(l) });
  const container = createServices({ cwd: home, home, logger });
  const services: PluginServices = pluginServices(container);
  t.teardown(async () => {
    await container.get(TOKENS.HubClient).close();
    closeServices(container);
  });
  return { home, services, log, logger };
}
export type SyncFixture = ReturnType<typeof syncServices>;

/** The engine on a fixture's services, with the plugin's defaults under `options`. */
export function engine(f: SyncFixture, options: Partial<BatchSyncOptions> = {}, random?: () => number) {
  return createBatchSync(f.services, validateOptions(options as Record<string, unknown>), f.logger, { random });
}

/** `n` events, spread round-robin over `projects`, in queue order. */
export function events(n: number, projects: string[] = [PROJECT_A]): Envelope[] {
  return Array.from({ length: n }, (_, i) => envelope({ project_uuid: projects[i % projects.length]!, aggregate_id: `WP${i % 50}` }));
}

export async function seed(f: SyncFixture, envelopes: readonly Envelope[]): Promise<void> {
  const queue = f.services.persistQueue();
  for (const e of envelopes) await queue.enqueue(e, 'pending');
}

/** Every queued row by event_id. */
export async function rows(f: SyncFixture): Promise<Map<string, QueuedEvent>> {
  const { events: all } = await f.services.readQueue().list();
  return new Map(all.map((e) => [e.event_id, e]));
}

export async function statesOf(f: SyncFixture): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const row of (await rows(f)).values()) counts[row.state] = (counts[row.state] ?? 0) + 1;
  return counts;
}

/** Stores a login at `server` as a `spec-kitty auth login` would; the access token good for 15 minutes unless told. */
export async function logIn(home: string, server: string, tokens: { access: string; refresh: string }, accessLifetimeS = 900): Promise<void> {
  const answer = { ...tokens, access_lifetime: accessLifetimeS, refresh_lifetime: 86_400, team_slug: 'acme' };
  await saveCredentials(home, credentialsFromToken(answer, { hub_url: server, username: 'ada' }, Date.now()));
}

/** A login stored by a user who then logged out: the server is known, the tokens are gone. */
export async function loggedOut(home: string, server: string): Promise<void> {
  await saveCredentials(home, { hub_url: server, username: 'ada', team_slug: null, access_token: '', refresh_token: '' });
}

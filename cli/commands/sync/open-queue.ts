import { createContainer } from '../../../core/container.js';
import { specKittyHome } from '../../../core/home.js';
import type { AuthClient, EventQueue, SyncQueue } from '../../../core/services.js';
import { TOKENS } from '../../../core/tokens.js';
import { cliLogger } from '../../runtime.js';

const isSyncQueue = (q: EventQueue): q is SyncQueue => typeof (q as SyncQueue).stats === 'function' && typeof (q as SyncQueue).list === 'function';

/**
 * The per-user queue and login, without the plugin pipeline: these commands read state and
 * emit nothing, so they need no project and load no plugin.
 */
export function openSyncServices(): { queue: SyncQueue; auth: () => AuthClient; close(): void } {
  const container = createContainer({ cwd: process.cwd(), home: specKittyHome(), verbose: false }, cliLogger());
  const queue = container.get(TOKENS.Queue);
  if (!isSyncQueue(queue)) throw new Error('the configured queue does not support listing or sync');
  return { queue, auth: () => container.get(TOKENS.Auth), close: () => queue.close() };
}

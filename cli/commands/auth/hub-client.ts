import type { HubClient } from '../../../core/services.js';
import { TOKENS } from '../../../core/tokens.js';
import { cliServices } from '../../runtime.js';

/**
 * The container's HubClient. Its module is loaded here, on first use, rather than in the
 * composition root: services/hub-client imports node:zlib (and with it the stream stack) at its
 * top, which every command would then pay for at start-up (test/e2e/startup.test.ts).
 */
export async function hubClient(): Promise<HubClient> {
  const container = await cliServices();
  if (!container.isBound(TOKENS.HubClient)) container.load((await import('../../../services/hub-client/module.js')).hubClientModule);
  return container.get(TOKENS.HubClient);
}

import type { HubClient } from '../../../core/services.js';
import { TOKENS } from '../../../core/tokens.js';
import { cliServices } from '../../runtime.js';

/** The container's HubClient (services/hub-client). */
export async function hubClient(): Promise<HubClient> {
  return (await cliServices()).get(TOKENS.HubClient);
}

import { ContainerModule } from 'inversify';
import { TOKENS } from '../../core/tokens.js';
import { ConfigIdentityService } from './identity-service.js';

/** The project's identity from `.kittify/config.yaml`, backfilled when missing. */
export const identityModule = new ContainerModule(({ bind }) => {
  bind(TOKENS.Identity).to(ConfigIdentityService).inSingletonScope();
});

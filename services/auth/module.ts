import { ContainerModule } from 'inversify';
import { TOKENS } from '../../core/tokens.js';
import { ConfAuthClient } from './auth-client.js';
import { StoredHubSession } from './session.js';

/** The stored login: who the user is, which team their events belong to, and a usable access token. */
export const authModule = new ContainerModule(({ bind }) => {
  bind(TOKENS.Auth).to(ConfAuthClient).inSingletonScope();
  bind(TOKENS.HubSession).to(StoredHubSession).inSingletonScope();
});

import { ContainerModule } from 'inversify';
import { TOKENS } from '../../core/tokens.js';
import { ConfAuthClient } from './auth-client.js';

/** The stored login: who the user is and which team their events belong to. */
export const authModule = new ContainerModule(({ bind }) => {
  bind(TOKENS.Auth).to(ConfAuthClient).inSingletonScope();
});

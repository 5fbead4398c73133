import { ContainerModule } from 'inversify';
import { TOKENS } from '../../core/tokens.js';
import { FetchHubClient } from './fetch-hub-client.js';

/** The hub's HTTP API (token, refresh, logout, ws-token, batch, health), with default timeouts. */
export const hubClientModule = new ContainerModule(({ bind }) => {
  bind(TOKENS.HubClient).toDynamicValue(() => new FetchHubClient()).inSingletonScope();
});

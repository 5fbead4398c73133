import { ContainerModule } from 'inversify';
import type { HubClient } from '../../core/services.js';
import { TOKENS } from '../../core/tokens.js';

/**
 * A HubClient that loads the fetch client (and the protocol validators it checks answers with)
 * on its first call: every command builds the container, few of them talk to the hub.
 */
function lazyHubClient(): HubClient {
  let loaded: Promise<HubClient> | undefined;
  const client = () => (loaded ??= import('./fetch-hub-client.js').then((m) => new m.FetchHubClient()));
  return {
    token: async (...args) => (await client()).token(...args),
    refresh: async (...args) => (await client()).refresh(...args),
    logout: async (...args) => (await client()).logout(...args),
    wsToken: async (...args) => (await client()).wsToken(...args),
    sendBatch: async (...args) => (await client()).sendBatch(...args),
    health: async (...args) => (await client()).health(...args),
    close: async () => { if (loaded) await (await loaded).close(); },
  };
}

/** The hub's HTTP API (token, refresh, logout, ws-token, batch, health), with default timeouts. */
export const hubClientModule = new ContainerModule(({ bind }) => {
  bind(TOKENS.HubClient).toDynamicValue(lazyHubClient).inSingletonScope();
});

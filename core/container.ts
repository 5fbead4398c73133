import 'reflect-metadata';
import { Container } from 'inversify';
import { ConfAuthClient } from './auth/auth-client.js';
import { EventBus } from './bus.js';
import { SqliteMachineClock } from './clock/machine-clock.js';
import { ConfigIdentityService } from './identity/identity-service.js';
import type { Logger } from './logger.js';
import { QueueDatabase } from './queue/queue-database.js';
import { SqliteEventQueue } from './queue/sqlite-queue.js';
import type { AuthClient, EventQueue, IdentityService, MachineClock, RuntimeOptions } from './services.js';
import { TOKENS } from './tokens.js';

/** Replacements for the default services (tests, embedders). */
export interface ServiceOverrides {
  clock?: MachineClock;
  identity?: IdentityService;
  auth?: AuthClient;
  queue?: EventQueue;
}

/** Services are singletons built on first `get`, so a command pays only for what it uses. */
export function createContainer(options: RuntimeOptions, logger: Logger, overrides: ServiceOverrides = {}): Container {
  const c = new Container({ defaultScope: 'Singleton' });
  c.bind(TOKENS.Options).toConstantValue(options);
  c.bind(TOKENS.Logger).toConstantValue(logger);
  const bindService = <T>(token: symbol | object, impl: new (...a: never[]) => T, override?: T) => {
    if (override) c.bind(token as never).toConstantValue(override as never);
    else c.bind(token as never).to(impl as never);
  };
  bindService(TOKENS.Clock as symbol, SqliteMachineClock, overrides.clock);
  bindService(TOKENS.Identity as symbol, ConfigIdentityService, overrides.identity);
  bindService(TOKENS.Auth as symbol, ConfAuthClient, overrides.auth);
  bindService(TOKENS.Queue as symbol, SqliteEventQueue, overrides.queue);
  c.bind(TOKENS.QueueDatabase).toDynamicValue(() => new QueueDatabase(options.home, logger));
  c.bind(TOKENS.Bus).to(EventBus);
  return c;
}

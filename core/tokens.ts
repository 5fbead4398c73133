import type { ServiceIdentifier } from 'inversify';
import type { Logger } from './logger.js';
import type { AuthClient, EventQueue, IdentityService, MachineClock, RuntimeOptions } from './services.js';
import type { EventBus } from './bus.js';

const token = <T>(name: string) => Symbol.for(`spec-kitty.${name}`) as ServiceIdentifier<T>;

/** Explicit injection tokens: the bundle carries no decorator metadata to infer types from. */
export const TOKENS = {
  Options: token<RuntimeOptions>('Options'),
  Logger: token<Logger>('Logger'),
  Clock: token<MachineClock>('Clock'),
  Identity: token<IdentityService>('Identity'),
  Auth: token<AuthClient>('Auth'),
  Queue: token<EventQueue>('Queue'),
  Bus: token<EventBus>('Bus'),
} as const;

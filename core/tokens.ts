import type { ServiceIdentifier } from 'inversify';
import type { Logger } from './logger.js';
import type { AuthClient, EventQueue, IdentityService, MachineClock, RuntimeOptions } from './services.js';
import type { EventBus } from './bus.js';
import type { QueueDatabase } from './queue/queue-database.js';

const token = <T>(name: string) => Symbol.for(`spec-kitty.${name}`) as ServiceIdentifier<T>;

/** Explicit injection tokens: the bundle carries no decorator metadata to infer types from. */
export const TOKENS = {
  Options: token<RuntimeOptions>('Options'),
  Logger: token<Logger>('Logger'),
  Clock: token<MachineClock>('Clock'),
  Identity: token<IdentityService>('Identity'),
  Auth: token<AuthClient>('Auth'),
  Queue: token<EventQueue>('Queue'),
  /** The per-user SQLite file shared by the queue and the clock. */
  QueueDatabase: token<QueueDatabase>('QueueDatabase'),
  Bus: token<EventBus>('Bus'),
} as const;

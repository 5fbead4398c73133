import type { ServiceIdentifier } from 'inversify';
import type { Logger } from '../lib/logger.js';
import type { EventBus } from './bus.js';
import type {
  AuthClient, Closable, HubClient, HubSession, IdentityService, MachineClock, PersistQueue, ReadQueue, RuntimeOptions, SyncQueue,
} from './services.js';
import type { UserDatabase } from './user-database.js';

const token = <T>(name: string) => Symbol.for(`spec-kitty.${name}`) as ServiceIdentifier<T>;

/** Explicit injection tokens: the bundle carries no decorator metadata to infer types from. */
export const TOKENS = {
  Options: token<RuntimeOptions>('Options'),
  Logger: token<Logger>('Logger'),
  Clock: token<MachineClock>('Clock'),
  Identity: token<IdentityService>('Identity'),
  Auth: token<AuthClient>('Auth'),
  /** The hub's HTTP API. */
  HubClient: token<HubClient>('HubClient'),
  /** The stored login as senders use it: a usable access token, refreshed across processes. */
  HubSession: token<HubSession>('HubSession'),
  /** One queue, seen through the interface of each consumer. */
  PersistQueue: token<PersistQueue>('PersistQueue'),
  ReadQueue: token<ReadQueue>('ReadQueue'),
  SyncQueue: token<SyncQueue>('SyncQueue'),
  /** The per-user SQLite file shared by the queue and the clock. */
  UserDatabase: token<UserDatabase>('UserDatabase'),
  /** The SQLite driver's native module, when the host has a faster way to load it (optional). */
  SqliteAddon: token<() => object>('SqliteAddon'),
  /** What must be settled when the command is done, before the per-user database is closed. */
  Closable: token<Closable>('Closable'),
  Bus: token<EventBus>('Bus'),
} as const;

import type { BusHooks, HookName } from './hooks.js';
import type { Logger } from '../lib/logger.js';
import type { AuthClient, HubClient, HubSession, IdentityService, MachineClock, PersistQueue, ReadQueue, SyncQueue } from './services.js';

/** Where a plugin does its work, as `plugins list` shows it: taken from the hooks it tapped. */
export const PHASES = ['lifecycle', 'enrich', 'guard', 'persist', 'deliver', 'observe'] as const;
export type PluginPhase = (typeof PHASES)[number];

export const PHASE_OF_HOOK: Readonly<Record<HookName, PluginPhase>> = {
  enrich: 'enrich',
  guard: 'guard',
  persist: 'persist',
  commit: 'persist',
  discard: 'persist',
  deliver: 'deliver',
  emitted: 'observe',
  dropped: 'observe',
  start: 'lifecycle',
  flush: 'lifecycle',
  stop: 'lifecycle',
};

/** What a plugin may do with a hook: tap it (no interceptors, no calls). */
export type TapOnly<H> = Pick<H, Extract<keyof H, 'tap' | 'tapAsync' | 'tapPromise'>>;
export type PluginHooks = { readonly [K in keyof BusHooks]: TapOnly<BusHooks[K]> };

/**
 * The services a plugin may use, each built on first call. Typed accessors, not the container:
 * a plugin cannot reach the bus or replace a service.
 */
export interface PluginServices {
  identity(): IdentityService;
  auth(): AuthClient;
  clock(): MachineClock;
  persistQueue(): PersistQueue;
  readQueue(): ReadQueue;
  syncQueue(): SyncQueue;
  /** The hub's HTTP API; it loads on its first call. */
  hub(): HubClient;
  /** The login as senders use it: a usable access token, or null when logged out. */
  session(): HubSession;
}

/**
 * How long the host process lives. `command`: it ends with its command (the CLI), so a plugin
 * must not start work it cannot use in that time, such as opening a connection. `long`: an
 * embedder or a service, where a connection opened now is reused for many events.
 */
export type ProcessLifetime = 'command' | 'long';

export interface PluginContext<Options> {
  /** The options after `validateOptions`. */
  options: Options;
  logger: Logger;
  /** The folder holding `.kittify/`, or null outside a project. */
  projectRoot: string | null;
  services: PluginServices;
  lifetime: ProcessLifetime;
}

export interface Plugin<Options = Record<string, unknown>> {
  /** Every tap the plugin makes carries this name: in logs, drop reasons and `plugins list`. */
  name: string;
  description?: string;
  /** False for a plugin whose behaviour is not built yet: `plugins list` says so. */
  implemented?: boolean;
  /** Checks raw options and fills in defaults before `apply`; throws a message naming each bad option. */
  validateOptions?(raw: Record<string, unknown>): Options;
  apply(hooks: PluginHooks, context: PluginContext<Options>): void | Promise<void>;
}

/** A plugin module's default export: a plugin, or a factory taking its raw options. */
export type PluginExport = Plugin<any> | ((options: Record<string, unknown>) => Plugin<any>);

/** Identity function that gives plugin authors types. */
export function definePlugin<Options = Record<string, unknown>>(plugin: Plugin<Options>): Plugin<Options> {
  return plugin;
}

import type { ServiceIdentifier } from 'inversify';
import type { BusHooks } from './hooks.js';
import type { Logger } from './logger.js';

/** Where a plugin does its work; shown by `plugins list`. */
export type PluginPhase = 'enrich' | 'guard' | 'persist' | 'deliver' | 'observe' | 'lifecycle';

/** What a plugin may do with a hook: tap it (no interceptors, no calls). */
export type TapOnly<H> = Pick<H, Extract<keyof H, 'tap' | 'tapAsync' | 'tapPromise'>>;
export type PluginHooks = { [K in keyof BusHooks]: TapOnly<BusHooks[K]> };

export interface PluginContext<Options> {
  /** The options after `validateOptions`. */
  options: Options;
  logger: Logger;
  /** The folder holding `.kittify/`, or null outside a project. */
  projectRoot: string | null;
  /** Container services, e.g. `services.get(TOKENS.Queue)`. */
  services: { get<T>(token: ServiceIdentifier<T>): T };
}

export interface Plugin<Options = Record<string, unknown>> {
  /** Tap name; appears in logs, drop reasons and `plugins list`. */
  name: string;
  phases: PluginPhase[];
  description?: string;
  /** False for a plugin whose behaviour is not built yet: `plugins list` says so. */
  implemented?: boolean;
  /** Validates raw options up front; throws with a message naming the bad option. */
  validateOptions?(raw: Record<string, unknown>): Options;
  apply(hooks: PluginHooks, context: PluginContext<Options>): void | Promise<void>;
}

/** A plugin module's default export: a plugin, or a factory taking its raw options. */
export type PluginExport = Plugin<any> | ((options: Record<string, unknown>) => Plugin<any>);

/** Identity function that gives plugin authors types. */
export function definePlugin<Options = Record<string, unknown>>(plugin: Plugin<Options>): Plugin<Options> {
  return plugin;
}

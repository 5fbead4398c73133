import 'reflect-metadata';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Container } from 'inversify';
import { EventBus, type EmitChange, type EmitResult } from '../core/bus.js';
import type { EventDraft } from '../contract/index.js';
import { loadPlugins, type BuiltinRegistry, type LoadedPlugin } from '../core/plugin-loader.js';
import type { PluginServices } from '../core/plugin.js';
import { readPipeline } from '../core/pipeline-config.js';
import type { RuntimeOptions } from '../core/services.js';
import { TOKENS } from '../core/tokens.js';
import { createLogger, type Logger } from '../lib/logger.js';
import { authModule } from '../services/auth/module.js';
import { clockModule } from '../services/clock/module.js';
import { hubClientModule } from '../services/hub-client/module.js';
import { identityModule } from '../services/identity/module.js';
import { KITTIFY_DIR, findProjectRoot } from '../services/identity/project-root.js';
import { queueModule } from '../services/queue/module.js';
import { userDbModule } from '../services/user-db/module.js';
import { specKittyHome } from './home.js';
import { readSyncSettings, type SyncSettings } from './sync/settings.js';

/** Works from source (cli/) and from the bundle (dist/): both sit one level below the package root. */
export const DEFAULT_PIPELINE_FILE = join(fileURLToPath(new URL('..', import.meta.url)), 'plugins.json');

export interface ServicesOptions {
  cwd?: string;
  home?: string;
  verbose?: boolean;
  /** Shorter tap deadlines (tests); DEFAULT_DEADLINES otherwise. */
  deadlines?: RuntimeOptions['deadlines'];
  logger?: Logger;
  /** The SQLite driver's native module, loaded the launcher's faster way. */
  sqliteAddon?: () => object;
  /** `command` when the process ends with its command (the CLI); `long` by default. */
  lifetime?: RuntimeOptions['lifetime'];
  /** Replaces bindings after the modules are loaded (tests, embedders): `c.rebind(TOKENS.Auth).toConstantValue(…)`. */
  rebind?: (container: Container) => void;
}

/**
 * The composition root: the container with every service module. Services are singletons built
 * on first `get`, so a command pays only for what it uses; reading the queue loads no plugin.
 */
export function createServices(options: ServicesOptions = {}): Container {
  const runtime: RuntimeOptions = {
    cwd: options.cwd ?? process.cwd(), home: options.home ?? specKittyHome(), verbose: options.verbose ?? false, deadlines: options.deadlines,
    lifetime: options.lifetime ?? 'long',
  };
  const container = new Container({ defaultScope: 'Singleton' });
  container.bind(TOKENS.Options).toConstantValue(runtime);
  container.bind(TOKENS.Logger).toConstantValue(options.logger ?? createLogger({ verbose: runtime.verbose }));
  if (options.sqliteAddon) container.bind(TOKENS.SqliteAddon).toConstantValue(options.sqliteAddon);
  container.load(userDbModule, clockModule, queueModule, identityModule, authModule, hubClientModule);
  container.bind(TOKENS.Bus).to(EventBus);
  options.rebind?.(container);
  return container;
}

/** Settles what is still pending, then closes the per-user database. */
export function closeServices(container: Container): void {
  try {
    if (container.isBound(TOKENS.Closable)) for (const c of container.getAll(TOKENS.Closable)) c.close();
  } finally {
    container.get(TOKENS.UserDatabase).close();
  }
}

/** The typed accessors a plugin gets: the services, never the container or the bus. */
export function pluginServices(container: Container): PluginServices {
  return {
    identity: () => container.get(TOKENS.Identity),
    auth: () => container.get(TOKENS.Auth),
    clock: () => container.get(TOKENS.Clock),
    persistQueue: () => container.get(TOKENS.PersistQueue),
    readQueue: () => container.get(TOKENS.ReadQueue),
    syncQueue: () => container.get(TOKENS.SyncQueue),
    hub: () => container.get(TOKENS.HubClient),
    session: () => container.get(TOKENS.HubSession),
  };
}

export interface EmitterOptions extends ServicesOptions {
  builtins?: BuiltinRegistry;
  /** The default pipeline; the package's plugins.json unless given. */
  defaultsFile?: string;
  /** Loads a plugin module by URL (the launcher's loader in the shipped CLI). */
  importModule?: (url: string) => Promise<unknown>;
  /** The services to build on; a fresh container unless given. */
  container?: Container;
  /** How this run syncs; read from the project's config.yaml and the environment unless given. */
  sync?: SyncSettings;
}

/** The built-ins that talk to the hub: off when sync is (`sync.auto_start: false`, `SPEC_KITTY_SYNC=off`). */
export const SYNC_PLUGINS: readonly string[] = ['batch-sync', 'websocket-transport'];

export interface Emitter {
  emit(draft: EventDraft, change?: EmitChange): Promise<EmitResult>;
  readonly bus: EventBus;
  readonly container: Container;
  readonly plugins: LoadedPlugin[];
  readonly projectRoot: string | null;
  readonly sync: SyncSettings;
  /** Gives the lifecycle plugins until `deadline` (epoch ms) to flush, then releases resources. */
  close(deadline?: number): Promise<void>;
}

/** The services plus the plugins of the effective pipeline, tapped onto the bus in list order. */
export async function createEmitter(options: EmitterOptions = {}): Promise<Emitter> {
  const container = options.container ?? createServices(options);
  const { cwd } = container.get(TOKENS.Options);
  const logger = container.get(TOKENS.Logger);
  const bus = container.get(TOKENS.Bus);
  const projectRoot = findProjectRoot(cwd);
  const builtins = options.builtins ?? {};
  const { entries, problems } = readPipeline(
    options.defaultsFile ?? DEFAULT_PIPELINE_FILE,
    projectRoot ? join(projectRoot, KITTIFY_DIR, 'plugins.json') : null,
    Object.keys(builtins),
  );
  const sync = options.sync ?? readSyncSettings(projectRoot, process.env, (line) => logger.warnOnce(`sync-settings:${line}`, line));
  if (!sync.enabled) {
    for (const entry of entries) {
      if (SYNC_PLUGINS.includes(entry.use) && entry.source === 'built-in') Object.assign(entry, { enabled: false, adjustedIn: sync.offBecause });
    }
  }
  let plugins: LoadedPlugin[];
  try {
    plugins = await loadPlugins(entries, {
      builtins, projectRoot, hooks: bus.hooks, logger, services: pluginServices(container),
      importModule: options.importModule ?? ((url) => import(url)),
      applyDeadlineMs: container.get(TOKENS.Options).deadlines?.apply,
      lifetime: container.get(TOKENS.Options).lifetime,
    }, problems);
  } catch (error) {
    // A container made here is closed here; a given one belongs to the caller.
    if (!options.container) closeServices(container);
    throw error;
  }

  let closed = false;
  return {
    bus, container, plugins, projectRoot, sync,
    emit: (draft, change) => bus.emit(draft, change),
    async close(deadline = Date.now() + 1000) {
      if (closed) return;
      closed = true;
      try {
        await bus.hooks.flush.promise(deadline);
        await bus.hooks.stop.promise(deadline);
      } finally {
        closeServices(container);
      }
    },
  };
}

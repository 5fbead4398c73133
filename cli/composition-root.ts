import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Container } from 'inversify';
import type { EmitResult, EventBus } from './bus.js';
import type { ServiceOverrides } from './container.js';
import type { EventDraft } from './envelope.js';
import { specKittyHome } from './home.js';
import { createLogger, type Logger } from './logger.js';
import type { BuiltinRegistry, LoadedPlugin } from './plugin-loader.js';
import { KITTIFY_DIR, findProjectRoot } from './project-root.js';
import type { EventQueue } from './services.js';
import { TOKENS } from './tokens.js';

export interface EmitterOptions {
  cwd?: string;
  home?: string;
  verbose?: boolean;
  logger?: Logger;
  builtins?: BuiltinRegistry;
  /** The default pipeline; the package's plugins.json unless given. */
  defaultsFile?: string;
  services?: ServiceOverrides;
}

export interface Emitter {
  emit(draft: EventDraft): Promise<EmitResult>;
  readonly bus: EventBus;
  readonly container: Container;
  readonly plugins: LoadedPlugin[];
  readonly projectRoot: string | null;
  /** Gives the lifecycle plugins until `deadline` (epoch ms) to flush, then releases resources. */
  close(deadline?: number): Promise<void>;
}

/** Works from source (core/) and from the bundle (dist/): both sit one level below the package root. */
export const DEFAULT_PIPELINE_FILE = join(fileURLToPath(new URL('..', import.meta.url)), 'plugins.json');

export async function createEmitter(options: EmitterOptions = {}): Promise<Emitter> {
  // Loaded here, not at import, so a command that never emits never pays for inversify.
  const [{ createContainer }, { readPipeline }, { loadPlugins }] = await Promise.all([
    import('./container.js'), import('./pipeline-config.js'), import('./plugin-loader.js'),
  ]);
  const cwd = options.cwd ?? process.cwd();
  const verbose = options.verbose ?? false;
  const logger = options.logger ?? createLogger({ verbose });
  const container = createContainer({ cwd, home: options.home ?? specKittyHome(), verbose }, logger, options.services);
  const bus = container.get(TOKENS.Bus);
  const projectRoot = findProjectRoot(cwd);
  const builtins = options.builtins ?? {};
  const { entries, problems } = readPipeline(
    options.defaultsFile ?? DEFAULT_PIPELINE_FILE,
    projectRoot ? join(projectRoot, KITTIFY_DIR, 'plugins.json') : null,
    Object.keys(builtins),
  );
  const plugins = await loadPlugins(entries, {
    builtins, projectRoot, hooks: bus.hooks, logger,
    services: { get: (token) => container.get(token) },
  }, problems);

  let closed = false;
  return {
    bus, container, plugins, projectRoot,
    emit: (draft) => bus.emit(draft),
    async close(deadline = Date.now() + 1000) {
      if (closed) return;
      closed = true;
      await bus.hooks.flush.promise(deadline);
      await bus.hooks.stop.promise(deadline);
      container.get<EventQueue>(TOKENS.Queue).close();
    },
  };
}

let shared: Promise<Emitter> | undefined;

/** The process's emitter, built on first use; later calls return the same one (their options are ignored). */
export function getEmitter(options?: EmitterOptions): Promise<Emitter> {
  shared ??= createEmitter(options);
  return shared;
}

/** The shared emitter if one was asked for; never builds one. */
export function getEmitterIfBuilt(): Promise<Emitter> | undefined {
  return shared;
}

/** Forgets the shared emitter (tests). */
export function resetEmitter(): void {
  shared = undefined;
}

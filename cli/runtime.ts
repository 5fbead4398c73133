import type { Container } from 'inversify';
import type { EmitResult } from '../core/bus.js';
import type { EventDraft } from '../contract/index.js';
import { createLogger, type Logger } from '../lib/logger.js';
import type { Emitter } from './composition-root.js';
import { BUILTIN_PLUGINS } from './builtins.js';
import { importModule } from './launcher/import-module.js';
import { sqliteAddon } from './launcher/sqlite-addon.js';
import { isTerminal, writeFd } from './launcher/stdio.js';

export interface GlobalOptions {
  verbose?: boolean;
}

let logger: Logger | undefined;
let verbose = false;
let services: Promise<Container> | undefined;
let shared: Promise<Emitter> | undefined;

const makeLogger = () => createLogger({ verbose, write: (line) => writeFd(2, line + '\n'), isTerminal: () => isTerminal(2) });

export function configureRuntime(opts: GlobalOptions): void {
  verbose = Boolean(opts.verbose);
  logger = makeLogger();
}

export function cliLogger(): Logger {
  return (logger ??= makeLogger());
}

/** The command run's services, from the one composition root; loaded on first use, with no plugin. */
export function cliServices(): Promise<Container> {
  services ??= import('./composition-root.js').then(({ createServices }) =>
    createServices({ verbose, logger: cliLogger(), sqliteAddon }));
  return services;
}

/** The command run's emitter: the same services plus the pipeline's plugins, loaded when a command first emits. */
export function emitter(): Promise<Emitter> {
  shared ??= Promise.all([import('./composition-root.js'), cliServices()]).then(([{ createEmitter }, container]) =>
    createEmitter({ container, builtins: BUILTIN_PLUGINS, importModule }));
  return shared;
}

/** Emits one event; drops are shown with --verbose. */
export async function emit(draft: EventDraft): Promise<EmitResult> {
  const result = await (await emitter()).emit(draft);
  if (result.status === 'dropped') {
    cliLogger().debug(`${draft.event_type} for ${draft.aggregate_id} not emitted: ${result.drop.reason} (${result.drop.plugin})`);
  }
  return result;
}

/** Releases what the command built, within a bounded budget: the emitter's plugins first, then the services. */
export async function shutdown(budgetMs = 1500): Promise<void> {
  // An emitter that failed to build (a required plugin that cannot start) leaves its services to close.
  const built = shared && await shared.catch(() => undefined);
  if (built) {
    await built.close(Date.now() + budgetMs);
  } else if (services) {
    const [{ closeServices }, container] = await Promise.all([import('./composition-root.js'), services]);
    closeServices(container);
  }
}

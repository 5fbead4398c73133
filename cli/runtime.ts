import type { EmitResult } from '../core/bus.js';
import type { Emitter } from '../core/emitter.js';
import type { EventDraft } from '../core/envelope.js';
import { createLogger, type Logger } from '../core/logger.js';
import { BUILTIN_PLUGINS } from './builtins.js';

export interface GlobalOptions {
  verbose?: boolean;
}

let logger: Logger | undefined;
let verbose = false;

export function configureRuntime(opts: GlobalOptions): void {
  verbose = Boolean(opts.verbose);
  logger = createLogger({ verbose });
}

export function cliLogger(): Logger {
  return (logger ??= createLogger({ verbose }));
}

/** The command run's emitter; the core and plugins load only when a command first asks for it. */
export async function emitter(): Promise<Emitter> {
  const { getEmitter } = await import('../core/emitter.js');
  return getEmitter({ builtins: BUILTIN_PLUGINS, verbose, logger: cliLogger() });
}

/** Emits one event; drops are shown with --verbose. */
export async function emit(draft: EventDraft): Promise<EmitResult> {
  const result = await (await emitter()).emit(draft);
  if (result.status === 'dropped') {
    cliLogger().debug(`${draft.event_type} for ${draft.aggregate_id} not emitted: ${result.drop.reason} (${result.drop.plugin})`);
  }
  return result;
}

/** Releases the emitter, if one was built, within a bounded budget. */
export async function shutdown(budgetMs = 1500): Promise<void> {
  const { getEmitterIfBuilt } = await import('../core/emitter.js');
  const built = getEmitterIfBuilt();
  if (built) await (await built).close(Date.now() + budgetMs);
}

import type { Container } from 'inversify';
import type { EmitChange, EmitResult } from '../core/bus.js';
import { PersistError, messageOf } from '../core/errors.js';
import { TOKENS } from '../core/tokens.js';
import type { EventDraft } from '../contract/index.js';
import { createLogger, type Logger } from '../lib/logger.js';
import type { Emitter } from './composition-root.js';
import { crashAt, withCrashPoints } from './crash-points.js';
import { BUILTIN_PLUGINS } from './builtins.js';
import { importModule } from './launcher/import-module.js';
import { sqliteAddon } from './launcher/sqlite-addon.js';
import { isTerminal, writeFd } from './launcher/stdio.js';
import { holdOpen } from './sync/hold-open.js';

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

/**
 * The command run's services, from the one composition root; loaded on first use, with no
 * plugin. First, what interrupted commands left prepared is settled (committed if their change
 * is on disk, else discarded), so no command reads or sends a half-made move.
 */
export function cliServices(): Promise<Container> {
  services ??= Promise.all([import('./composition-root.js'), import('./workflow/settle.js')])
    .then(async ([{ createServices }, { settleAll }]) => {
      const container = createServices({ verbose, logger: cliLogger(), sqliteAddon, lifetime: 'command' });
      try {
        const settled = await settleAll(container.get(TOKENS.PersistQueue));
        if (settled.committed + settled.discarded > 0) {
          cliLogger().debug(`settled events interrupted commands left: ${settled.committed} committed, ${settled.discarded} discarded`);
        }
        for (const failure of settled.failed) cliLogger().warnOnce(`settle:${failure}`, `an interrupted command's event could not be settled yet (${failure}); it stays unsent until it can be`);
      } catch (error) {
        // An unreadable queue is each command's to report in its own terms; settling waits for the next.
        cliLogger().debug(`could not settle interrupted commands' events: ${(error as Error).message}`);
      }
      return container;
    });
  return services;
}

/** The command run's emitter: the same services plus the pipeline's plugins, loaded when a command first emits. */
export function emitter(): Promise<Emitter> {
  shared ??= Promise.all([import('./composition-root.js'), import('./plugin-leftovers.js'), cliServices()])
    .then(([{ createEmitter }, { watchPluginResources }, container]) => {
      watchPluginResources();
      stopOnSignals();
      return createEmitter({ container, builtins: BUILTIN_PLUGINS, importModule });
    });
  return shared;
}

/**
 * Ctrl-C or SIGTERM during an emitting command takes the same bounded way out as its end (what
 * it queued stays queued, and is handed to the background drainer), then exits 130 or 143. A
 * change it was making when interrupted is settled by the next command, as after a crash.
 */
function stopOnSignals(): void {
  const onSignal = (signal: NodeJS.Signals) => {
    const code = signal === 'SIGINT' ? 130 : 143;
    setTimeout(() => process.exit(code), EXIT_BUDGET_MS + 1_000).unref();
    void shutdown().catch(() => undefined).finally(() => process.exit(code));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}

/** Settles what crashed commands left prepared under `lock`; the caller holds that lock. */
export async function settle(lock: string): Promise<void> {
  const [{ settleLock }, container] = await Promise.all([import('./workflow/settle.js'), cliServices()]);
  try {
    await settleLock(container.get(TOKENS.PersistQueue), lock);
  } catch (error) {
    // Settling comes just before an emit: a queue that cannot settle cannot take the event either.
    throw new PersistError(`event not queued: ${messageOf(error)}`, null, { cause: error });
  }
}

/** Emits one event (with the change it stands for, if any); drops are shown with --verbose. */
export async function emit(draft: EventDraft, change?: EmitChange): Promise<EmitResult> {
  const crashTest = change !== undefined && process.env.SPEC_KITTY_CRASH_AT !== undefined;
  const result = await (await emitter()).emit(draft, crashTest ? withCrashPoints(change) : change);
  if (crashTest) crashAt('after-commit');
  if (result.status === 'dropped') {
    cliLogger().debug(`${draft.event_type} for ${draft.aggregate_id} not emitted: ${result.drop.reason} (${result.drop.plugin})`);
  }
  return result;
}

const EXIT_BUDGET_MS = 1_500;
let shuttingDown: Promise<void> | undefined;

/** Releases what the command built, within a bounded budget: the emitter's plugins first, then the services. */
export function shutdown(): Promise<void> {
  return (shuttingDown ??= closeAll());
}

async function closeAll(): Promise<void> {
  // An emitter that failed to build (a required plugin that cannot start) leaves its services to close.
  const built = shared && await shared.catch(() => undefined);
  if (shared) {
    try {
      if (built) await closeEmitter(built);
    } finally {
      // The command is done: a timer or socket a plugin left open must not keep the process alive.
      const { releasePluginResources } = await import('./plugin-leftovers.js');
      releasePluginResources((line) => cliLogger().warn(line));
    }
  }
  if (!built && services) {
    const [{ closeServices }, container] = await Promise.all([import('./composition-root.js'), services]);
    closeServices(container);
  }
}

/**
 * The command's work is done: it never waits on the network. What is pending is handed to the
 * detached drainer (one per machine); with `sync.background: false`, batch sync gets one bounded
 * flush instead (`sync.exit_flush_ms`). Sync off, logged out, or nothing pending: no network at all.
 */
async function closeEmitter(built: Emitter): Promise<void> {
  const { sync, container } = built;
  const { home } = container.get(TOKENS.Options);
  const batchSync = built.plugins.some((p) => p.entry.use === 'batch-sync' && p.status === 'active');
  const inline = sync.enabled && !sync.background;
  let handOff = false;
  if (sync.enabled && sync.background && batchSync) {
    try {
      handOff = container.get(TOKENS.Auth).status().loggedIn && await container.get(TOKENS.PersistQueue).countPending() > 0;
    } catch (error) {
      cliLogger().debug(`no background sync: ${messageOf(error)}`);
    }
  }
  await holdOpen(built.close(inline ? Date.now() + sync.exitFlushMs : Date.now()));
  if (!handOff) return;
  const { startDrainer } = await import('./sync/start-drainer.js');
  try {
    const pid = startDrainer(home);
    cliLogger().debug(pid === null ? 'a background drainer is running: it sends the pending events' : `background drainer started (pid ${pid})`);
  } catch (error) {
    cliLogger().debug(`could not start the background drainer (${messageOf(error)}); events stay queued for the next command or \`spec-kitty sync now\``);
  }
}

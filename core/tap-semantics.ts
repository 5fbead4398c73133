import type { Tap } from 'tapable';
import type { EmitContext } from './emit-context.js';
import type { BusHooks, DropInfo, HookName } from './hooks.js';
import type { Logger } from './logger.js';
import { PersistError, messageOf } from './errors.js';

type Args = unknown[];
interface Semantics {
  /** Maps what a tap returned to what the hook sees. */
  result?(value: unknown, args: Args, plugin: string): unknown;
  /** Decides what a throwing tap means for the event: a value to go on with, or a rethrow. */
  failure(error: unknown, args: Args, plugin: string): unknown;
}

const ctxOf = (args: Args, index: number) => args[index] as EmitContext;

/**
 * Per-phase failure semantics (DESIGN §2), applied to every tap as it is registered, so a
 * plugin cannot opt out of them and a third-party plugin gets the same treatment as a built-in.
 */
function semanticsFor(hook: HookName, logger: Logger): Semantics {
  switch (hook) {
    case 'enrich':
      return {
        failure(error, args, plugin) {
          const line = `${plugin}: ${messageOf(error)}`;
          ctxOf(args, 1).degraded.push(line);
          logger.warn(`enrich plugin "${plugin}" failed (${messageOf(error)}); the event goes on without it`);
          return args[0];
        },
      };
    case 'guard':
      return {
        result: (value, _args, plugin): DropInfo | undefined => {
          if (value === undefined || value === null || value === false) return undefined;
          if (typeof value === 'object' && typeof (value as DropInfo).reason === 'string') {
            return { plugin, reason: (value as DropInfo).reason };
          }
          return { plugin, reason: typeof value === 'string' ? value : 'dropped' };
        },
        // A guard that breaks must not silently drop events: the event goes on.
        failure(error, _args, plugin) {
          logger.warn(`guard plugin "${plugin}" failed (${messageOf(error)}); the event was not dropped`);
          return undefined;
        },
      };
    case 'persist':
      return {
        result(value, args, plugin) {
          ctxOf(args, 1).persistedBy.push(plugin);
          return value;
        },
        failure(error, _args, plugin) {
          throw new PersistError(`event not queued: plugin "${plugin}" failed: ${messageOf(error)}`, plugin, { cause: error });
        },
      };
    case 'deliver':
      return {
        failure(error, args, plugin) {
          ctxOf(args, 1).deliveryErrors.push(`${plugin}: ${messageOf(error)}`);
          logger.debug(`deliver plugin "${plugin}" failed (${messageOf(error)}); the event stays queued`);
          return undefined;
        },
      };
    default:
      return {
        failure(error, _args, plugin) {
          logger.debug(`${hook} observer "${plugin}" failed: ${messageOf(error)}`);
          return undefined;
        },
      };
  }
}

function wrapSync(fn: (...a: Args) => unknown, s: Semantics, plugin: string) {
  return (...args: Args) => {
    let value: unknown;
    try {
      value = fn(...args);
    } catch (error) {
      return s.failure(error, args, plugin);
    }
    return s.result ? s.result(value, args, plugin) : value;
  };
}

function wrapAsync(tap: Tap & { type: string; fn: (...a: Args) => unknown }, s: Semantics, plugin: string) {
  const fn = tap.fn;
  const call = (args: Args): Promise<unknown> => {
    if (tap.type === 'async') {
      return new Promise((resolve, reject) => fn(...args, (err: unknown, v: unknown) => (err ? reject(err) : resolve(v))));
    }
    return Promise.resolve().then(() => fn(...args));
  };
  return (...args: Args) =>
    call(args).then(
      (value) => (s.result ? s.result(value, args, plugin) : value),
      (error) => s.failure(error, args, plugin),
    );
}

const SYNC_HOOKS: ReadonlySet<HookName> = new Set(['emitted', 'dropped']);

export function installTapSemantics(hooks: BusHooks, logger: Logger): void {
  for (const name of Object.keys(hooks) as HookName[]) {
    const semantics = semanticsFor(name, logger);
    const sync = SYNC_HOOKS.has(name);
    // tapable's typings do not expose `type`/`fn` on Tap, though the interceptor receives them.
    (hooks[name] as { intercept(i: object): void }).intercept({
      register: (tap: Tap & { type: string; fn: (...a: Args) => unknown }) => {
        if (sync) return { ...tap, fn: wrapSync(tap.fn, semantics, tap.name) };
        return { ...tap, type: 'promise', fn: wrapAsync(tap, semantics, tap.name) };
      },
    });
  }
}

import type { Tap } from 'tapable';
import type { EmitContext } from './emit-context.js';
import { envelopeViolations, type Envelope } from '../contract/index.js';
import { SYNC_HOOKS, type BusHooks, type DropInfo, type HookName } from './hooks.js';
import type { Logger } from '../lib/logger.js';
import { DEFAULT_DEADLINES, withDeadline, type Deadlines } from './deadlines.js';
import { PersistError, messageOf } from './errors.js';
import { pluginScope } from './plugin-scope.js';

type Args = unknown[];
interface Semantics {
  /** What the tap itself is given (enrich taps get a copy, so a bad edit can be undone). */
  input?(args: Args): Args;
  /** Maps what a tap returned to what the hook sees; `given` is what the tap was called with. */
  result?(value: unknown, args: Args, plugin: string, given: Args): unknown;
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
    case 'enrich': {
      const degrade = (args: Args, plugin: string, why: string) => {
        ctxOf(args, 1).degraded.push(`${plugin}: ${why}`);
        logger.warn(`enrich plugin "${plugin}" failed (${why}); the event goes on without it`);
        return args[0];
      };
      return {
        input: (args) => [{ ...(args[0] as Envelope) }, ...args.slice(1)],
        // An optional stamp must not cost the event: a result that breaks the contract is dropped.
        result(value, args, plugin, given) {
          const next = value === undefined ? given[0] : value;
          const after = envelopeViolations(next);
          if (after.length === 0) return next;
          // Only what this tap broke is its fault; a bad draft is the command's, and fails later.
          const before = new Set(envelopeViolations(args[0]));
          const added = after.filter((v) => !before.has(v));
          return added.length === 0 ? next : degrade(args, plugin, `it broke the envelope: ${added.join('; ')}`);
        },
        failure: (error, args, plugin) => degrade(args, plugin, messageOf(error)),
      };
    }
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
        failure(error, args, plugin) {
          const context = ctxOf(args, 1);
          if (!context.durable) {
            throw new PersistError(`event not queued: plugin "${plugin}" failed: ${messageOf(error)}`, plugin, { cause: error });
          }
          // Already in the queue: rejecting now would make the command undo a change whose event is recorded.
          context.degraded.push(`${plugin}: ${messageOf(error)}`);
          logger.warn(`persist plugin "${plugin}" failed (${messageOf(error)}) after the event was queued; the event stays queued`);
          return undefined;
        },
      };
    case 'commit':
      return {
        // The change is made but its event is still prepared: the command must not report success.
        failure(error, _args, plugin) {
          throw new PersistError(`event not committed: plugin "${plugin}" failed: ${messageOf(error)}`, plugin, { cause: error });
        },
      };
    case 'discard':
      return {
        // Recovery discards a prepared event whose change is not on disk, so a failure here loses nothing.
        failure(error, _args, plugin) {
          logger.warn(`plugin "${plugin}" could not discard a prepared event (${messageOf(error)}); the next command will`);
          return undefined;
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
    const given = s.input ? s.input(args) : args;
    let value: unknown;
    try {
      value = pluginScope.run(plugin, () => fn(...given));
    } catch (error) {
      return s.failure(error, args, plugin);
    }
    // An observer is not awaited; an async one that rejects must not become an unhandled rejection.
    if (value instanceof Promise) value.catch((error: unknown) => s.failure(error, args, plugin));
    return s.result ? s.result(value, args, plugin, given) : value;
  };
}

/** The deadline of one tap: a fixed time, or what is left until the deadline a lifecycle hook is given. */
type DeadlineOf = (args: Args) => number;

function wrapAsync(tap: Tap & { type: string; fn: (...a: Args) => unknown }, s: Semantics, plugin: string, hook: HookName, deadline: DeadlineOf) {
  const fn = tap.fn;
  const call = (given: Args): Promise<unknown> => pluginScope.run(plugin, () => {
    if (tap.type === 'async') {
      return new Promise((resolve, reject) => fn(...given, (err: unknown, v: unknown) => (err ? reject(err) : resolve(v))));
    }
    return Promise.resolve().then(() => fn(...given));
  });
  return (...args: Args) => {
    const given = s.input ? s.input(args) : args;
    // A tap that never settles is treated as one that failed: no plugin can hang a command.
    return withDeadline(call(given), deadline(args), `${hook} plugin "${plugin}"`).then(
      (value) => (s.result ? s.result(value, args, plugin, given) : value),
      (error) => s.failure(error, args, plugin),
    );
  };
}

export function installTapSemantics(hooks: BusHooks, logger: Logger, deadlines: Deadlines = DEFAULT_DEADLINES): void {
  for (const name of Object.keys(hooks) as HookName[]) {
    const semantics = semanticsFor(name, logger);
    const sync = SYNC_HOOKS.has(name);
    const deadline: DeadlineOf = name === 'flush' || name === 'stop'
      ? (args) => (args[0] as number) - Date.now()
      : () => deadlines[name as keyof Deadlines];
    // tapable's typings do not expose `type`/`fn` on Tap, though the interceptor receives them.
    (hooks[name] as { intercept(i: object): void }).intercept({
      register: (tap: Tap & { type: string; fn: (...a: Args) => unknown }) => {
        if (sync) return { ...tap, fn: wrapSync(tap.fn, semantics, tap.name) };
        return { ...tap, type: 'promise', fn: wrapAsync(tap, semantics, tap.name, name, deadline) };
      },
    });
  }
}

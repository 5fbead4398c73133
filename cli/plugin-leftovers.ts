import { createHook } from 'node:async_hooks';
import { pluginScope } from '../core/plugin-scope.js';

interface Left {
  plugin: string;
  type: string;
  resource: WeakRef<object>;
}

type Handle = { unref?: () => unknown; hasRef?: () => boolean };

const live = new Map<number, Left>();
let hook: ReturnType<typeof createHook> | undefined;
/** Set once the command's work is done: from then on, a plugin's new handle is let go at once. */
let lateWarn: ((line: string) => void) | undefined;
const warned = new Set<string>();

const line = (plugin: string, what: string) =>
  `plugin "${plugin}" left ${what} open after the command finished; spec-kitty exits without waiting for it`;

/** Lets go of a handle: the process may end while it is still open. False if it cannot be let go or is already. */
function release(resource: object | undefined): boolean {
  const handle = resource as Handle | undefined;
  if (!handle || typeof handle.unref !== 'function') return false;
  if (typeof handle.hasRef === 'function' && !handle.hasRef()) return false;
  handle.unref();
  return true;
}

/**
 * Watches the timers, sockets and other handles plugins create (in their taps and `apply`, and in
 * what those start): once the command's work is done, nothing of theirs may keep the process
 * alive. Started when the pipeline loads; a command without plugins pays nothing.
 */
export function watchPluginResources(): void {
  hook ??= createHook({
    init(asyncId, type, _trigger, resource) {
      if (type === 'PROMISE') return;
      const plugin = pluginScope.getStore();
      if (plugin === undefined) return;
      if (!lateWarn) {
        live.set(asyncId, { plugin, type, resource: new WeakRef(resource) });
        return;
      }
      // Started by a plugin after the command finished (say, once a DNS lookup answered): let go
      // of it once built. The microtask is itself an async resource: it must not be watched too.
      if (type === 'Microtask') return;
      const warn = lateWarn;
      queueMicrotask(() => {
        if (release(resource) && !warned.has(`${plugin}:${type}`)) {
          warned.add(`${plugin}:${type}`);
          warn(line(plugin, `a ${type}`));
        }
      });
    },
    destroy(asyncId) {
      live.delete(asyncId);
    },
  }).enable();
}

/**
 * The command's work is done: lets go of what plugins left open, now and from now on, and
 * warns once per plugin with what it was.
 */
export function releasePluginResources(warn: (line: string) => void): void {
  lateWarn = warn;
  const byPlugin = new Map<string, string[]>();
  for (const left of live.values()) {
    if (!release(left.resource.deref())) continue;
    byPlugin.set(left.plugin, [...(byPlugin.get(left.plugin) ?? []), left.type]);
  }
  live.clear();
  for (const [plugin, types] of byPlugin) {
    for (const type of types) warned.add(`${plugin}:${type}`);
    warn(line(plugin, types.length === 1 ? `a ${types[0]}` : `${types.length} handles (${[...new Set(types)].join(', ')})`));
  }
}

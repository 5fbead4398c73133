import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_DEADLINES, withDeadline } from './deadlines.js';
import { PluginConfigError, messageOf } from './errors.js';
import { pluginScope } from './plugin-scope.js';
import { SYNC_HOOKS, type BusHooks, type HookName } from './hooks.js';
import type { Logger } from '../lib/logger.js';
import type { ConfigProblem, PipelineEntry } from './pipeline-config.js';
import { PHASE_OF_HOOK, PHASES, type Plugin, type PluginExport, type PluginHooks, type PluginPhase, type PluginServices, type ProcessLifetime } from './plugin.js';

/** Built-in plugins by name, each loaded only when enabled. */
export type BuiltinRegistry = Record<string, () => Promise<{ default: PluginExport }>>;

export interface LoadedPlugin {
  entry: PipelineEntry;
  status: 'active' | 'disabled' | 'error';
  plugin?: Plugin<unknown>;
  /** The phases of the hooks the plugin tapped, in the order an event meets them. */
  phases: PluginPhase[];
  /** Options after validation (what the plugin runs with). */
  options?: unknown;
  error?: string;
}

export interface LoadOptions {
  builtins: BuiltinRegistry;
  /** Paths and package names in a project's file resolve from here. */
  projectRoot: string | null;
  hooks: BusHooks;
  logger: Logger;
  services: PluginServices;
  lifetime?: ProcessLifetime;
  /** Loads an ES module by URL: a plugin given by path or package name. */
  importModule(url: string): Promise<unknown>;
  applyDeadlineMs?: number;
}

async function importEntry(entry: PipelineEntry, opts: LoadOptions): Promise<unknown> {
  const base = entry.source === 'built-in' ? null : opts.projectRoot ?? process.cwd();
  if (entry.source === 'built-in') return opts.builtins[entry.use]();
  if (entry.source === 'path') return opts.importModule(pathToFileURL(resolve(base!, entry.use)).href);
  let resolved: string;
  try {
    resolved = createRequire(join(base!, 'package.json')).resolve(entry.use);
  } catch {
    const known = Object.keys(opts.builtins).join(', ');
    throw new Error(`unknown plugin: not a built-in (${known}) and no installed package of that name (npm install ${entry.use})`);
  }
  return opts.importModule(pathToFileURL(resolved).href);
}

function instantiate(mod: unknown, entry: PipelineEntry): Plugin<unknown> {
  const exported = (mod as { default?: unknown })?.default ?? mod;
  const candidate = typeof exported === 'function' ? (exported as (o: object) => unknown)(entry.options) : exported;
  const p = candidate as Partial<Plugin<unknown>> | null;
  if (!p || typeof p !== 'object' || typeof p.name !== 'string' || typeof p.apply !== 'function') {
    throw new Error('module does not export a plugin (an object with "name" and "apply", or a factory returning one)');
  }
  return p as Plugin<unknown>;
}

type TapMethod = 'tap' | 'tapAsync' | 'tapPromise';
const TAP_METHODS: readonly TapMethod[] = ['tap', 'tapAsync', 'tapPromise'];

/**
 * The hooks as one plugin sees them. Every tap carries the plugin's own name, whatever name it
 * passes, so failures, drops and `plugins list` are credited to the plugin that made them. Taps
 * are only committed once `apply` returns, so a plugin that throws half-way leaves none behind.
 */
function hooksFor(pluginName: string, hooks: BusHooks) {
  const taps: Array<() => void> = [];
  const tapped = new Set<HookName>();
  const view = {} as Record<HookName, Partial<Record<TapMethod, (options: unknown, fn: unknown) => void>>>;
  for (const name of Object.keys(hooks) as HookName[]) {
    const hook = hooks[name] as unknown as Record<TapMethod, (options: unknown, fn: unknown) => void>;
    // Only the methods the hook supports: a wrong one must fail inside `apply`, before any tap is committed.
    const methods = SYNC_HOOKS.has(name) ? (['tap'] as const) : TAP_METHODS;
    view[name] = Object.fromEntries(methods.map((method) => [method, (options: unknown, fn: unknown) => {
      const rest = typeof options === 'object' && options !== null ? options : {};
      tapped.add(name);
      taps.push(() => hook[method].call(hook, { ...rest, name: pluginName }, fn));
    }]));
  }
  const phases = (): PluginPhase[] => PHASES.filter((phase) => [...tapped].some((h) => PHASE_OF_HOOK[h] === phase));
  return { view: Object.freeze(view) as unknown as PluginHooks, phases, commit: () => taps.forEach((t) => t()) };
}

async function loadOne(entry: PipelineEntry, opts: LoadOptions): Promise<LoadedPlugin> {
  if (!entry.enabled) return { entry, status: 'disabled', phases: [] };
  let step = 'load';
  try {
    const plugin = instantiate(await importEntry(entry, opts), entry);
    step = 'options';
    const options = plugin.validateOptions ? plugin.validateOptions(entry.options) : entry.options;
    step = 'apply';
    const { view, phases, commit } = hooksFor(plugin.name, opts.hooks);
    // A plugin whose start never ends is a plugin that failed to start: its taps are never committed.
    await withDeadline(
      pluginScope.run(plugin.name, async () => plugin.apply(view, { options, logger: opts.logger, projectRoot: opts.projectRoot, services: opts.services, lifetime: opts.lifetime ?? 'long' })),
      opts.applyDeadlineMs ?? DEFAULT_DEADLINES.apply, 'apply',
    );
    commit();
    return { entry, status: 'active', plugin, options, phases: phases() };
  } catch (err) {
    const what = { load: 'cannot be loaded', options: 'has invalid options', apply: 'failed to start' }[step];
    return { entry, status: 'error', phases: [], error: `${what}: ${messageOf(err)}` };
  }
}

/**
 * Loads and applies the enabled plugins in list order (so list order is tap order).
 * A broken plugin is reported and skipped; a broken required one throws.
 */
export async function loadPlugins(entries: PipelineEntry[], opts: LoadOptions, problems: ConfigProblem[] = []): Promise<LoadedPlugin[]> {
  for (const p of problems) {
    opts.logger.error(`${p.plugin ? `plugin "${p.plugin}" ` : ''}(${p.file}): ${p.message}; ignored`);
  }
  const loaded: LoadedPlugin[] = [];
  for (const entry of entries) {
    const result = await loadOne(entry, opts);
    if (result.status === 'error') {
      const error = new PluginConfigError(entry.use, entry.adjustedIn ?? entry.definedIn, result.error!);
      if (entry.required) throw error;
      opts.logger.error(`${error.message}; skipped, events are still queued`);
    }
    loaded.push(result);
  }
  return loaded;
}

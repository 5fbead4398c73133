import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEmitter, type Emitter } from '../../cli/composition-root.js';
import type { EventDraft } from '../../contract/index.js';
import type { Deadlines } from '../../core/deadlines.js';
import { createLogger } from '../../lib/logger.js';
import type { Plugin, PluginExport } from '../../core/plugin.js';
import type { BuiltinRegistry } from '../../core/plugin-loader.js';
import { tempDir } from './cli.js';

export interface TestPipeline {
  emitter: Emitter;
  /** Everything the emitter logged. */
  log: string[];
  dir: string;
}

/** A pipeline of test plugins registered as built-ins, with its own defaults file and home. */
export async function makePipeline(
  entries: Array<{ use: string; enabled?: boolean; required?: boolean; options?: Record<string, unknown> }>,
  plugins: Record<string, PluginExport>,
  extra: { projectPlugins?: unknown; projectFiles?: Record<string, string>; deadlines?: Partial<Deadlines> } = {},
): Promise<TestPipeline> {
  const dir = tempDir('sk-pipe-');
  const defaultsFile = join(dir, 'plugins.json');
  writeFileSync(defaultsFile, JSON.stringify({ plugins: entries }));
  const project = join(dir, 'project');
  mkdirSync(join(project, '.kittify'), { recursive: true });
  if (extra.projectPlugins !== undefined) {
    const text = typeof extra.projectPlugins === 'string' ? extra.projectPlugins : JSON.stringify(extra.projectPlugins);
    writeFileSync(join(project, '.kittify', 'plugins.json'), text);
  }
  for (const [name, text] of Object.entries(extra.projectFiles ?? {})) {
    mkdirSync(join(project, name, '..'), { recursive: true });
    writeFileSync(join(project, name), text);
  }
  const builtins: BuiltinRegistry = Object.fromEntries(
    Object.entries(plugins).map(([name, p]) => [name, async () => ({ default: p })]),
  );
  const log: string[] = [];
  const logger = createLogger({ verbose: true, color: false, write: (l) => log.push(l) });
  const emitter = await createEmitter({ cwd: project, home: join(dir, 'home'), builtins, defaultsFile, logger, deadlines: extra.deadlines });
  return { emitter, log, dir: project };
}

/** A persist plugin that keeps events in memory, so bus tests see exactly what was persisted. */
export function memoryPersist(store: unknown[], name = 'memory-persist'): Plugin {
  return {
    name,
    apply(hooks) {
      hooks.persist.tap(name, (envelope, context) => {
        store.push(envelope);
        context.durable = true;
      });
    },
  };
}

export const draft = (over: Partial<EventDraft> = {}): EventDraft => ({
  event_type: 'WPStatusChanged',
  aggregate_id: 'WP01',
  aggregate_type: 'WorkPackage',
  payload: { wp_id: 'WP01', previous_status: 'planned', new_status: 'doing', changed_by: 'ada', feature_slug: '001-x' },
  ...over,
});

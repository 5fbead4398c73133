import { join } from 'node:path';
import type { Container } from 'inversify';
import { readPipeline } from '../../core/pipeline-config.js';
import { TOKENS } from '../../core/tokens.js';
import type { Logger } from '../../lib/logger.js';
import { KITTIFY_DIR, findProjectRoot } from '../../services/identity/project-root.js';
import { BUILTIN_PLUGINS } from '../builtins.js';
import { DEFAULT_PIPELINE_FILE, pluginServices } from '../composition-root.js';

export type { BatchSync, DrainProgress, DrainSummary } from '../../plugins/batch-sync/drain.js';

/**
 * batch-sync's engine for `sync now` and the background drainer, with the options of the
 * pipeline in effect where the command runs; null, with why, when batch-sync is disabled there.
 */
export async function batchSyncOf(container: Container, logger: Logger) {
  const { cwd } = container.get(TOKENS.Options);
  const root = findProjectRoot(cwd);
  const { entries } = readPipeline(DEFAULT_PIPELINE_FILE, root ? join(root, KITTIFY_DIR, 'plugins.json') : null, Object.keys(BUILTIN_PLUGINS));
  const entry = entries.find((e) => e.use === 'batch-sync' && e.source === 'built-in');
  if (!entry?.enabled) {
    return { engine: null, why: `batch-sync is disabled in ${entry?.adjustedIn ?? entry?.definedIn ?? DEFAULT_PIPELINE_FILE}` } as const;
  }
  const { createBatchSync, validateOptions } = await import('../../plugins/batch-sync/drain.js');
  return { engine: createBatchSync(pluginServices(container), validateOptions(entry.options), logger), why: null } as const;
}


import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILTIN_PLUGINS } from '../../cli/builtins.js';
import { createEmitter, type Emitter } from '../../cli/composition-root.js';
import type { BuiltinRegistry } from '../../core/plugin-loader.js';
import { rebindServices, type ServiceOverrides } from '../helpers/services.js';
import { createLogger } from '../../lib/logger.js';
import type { Plugin } from '../../core/plugin.js';
import { tempDir } from '../helpers/cli.js';

export const PROJECT_UUID = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';

/** Stands in for identity-injection (built elsewhere): stamps a fixed project identity. */
export const fakeIdentity: Plugin = {
  name: 'fake-identity',
  apply(hooks) {
    hooks.enrich.tap('fake-identity', (e) => ({ ...e, project_uuid: PROJECT_UUID, project_slug: 'alpha' }));
  },
};

export interface Workspace {
  home: string;
  project: string;
  dir: string;
}

export function workspace(): Workspace {
  const dir = tempDir('sk-plug-');
  const project = join(dir, 'project');
  mkdirSync(join(project, '.kittify'), { recursive: true });
  return { dir, project, home: join(dir, 'home') };
}

/**
 * One command run: a fresh emitter (new correlation_id) on the workspace's home and project,
 * with the real built-ins and the given pipeline.
 */
export async function run(
  ws: Workspace,
  entries: Array<{ use: string; options?: Record<string, unknown>; required?: boolean }>,
  extra: { services?: ServiceOverrides; builtins?: BuiltinRegistry; lifetime?: 'command' | 'long' } = {},
): Promise<{ emitter: Emitter; log: string[] }> {
  const defaultsFile = join(ws.dir, `plugins-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(defaultsFile, JSON.stringify({ plugins: entries }));
  const log: string[] = [];
  const logger = createLogger({ verbose: true, color: false, write: (l) => log.push(l) });
  const emitter = await createEmitter({
    cwd: ws.project, home: ws.home, defaultsFile, logger, rebind: rebindServices(extra.services ?? {}), lifetime: extra.lifetime,
    builtins: { ...BUILTIN_PLUGINS, 'fake-identity': async () => ({ default: fakeIdentity }), ...extra.builtins },
  });
  return { emitter, log };
}

export const wpMove = (wp: string, from: string, to: string) => ({
  event_type: 'WPStatusChanged',
  aggregate_id: wp,
  aggregate_type: 'WorkPackage',
  payload: { wp_id: wp, previous_status: from, new_status: to, changed_by: 'ada', feature_slug: '001-x' },
});

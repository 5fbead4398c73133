import type { BuiltinRegistry } from '../core/plugin-loader.js';

/** Built-in plugins by name; each module loads only when its entry is enabled. */
export const BUILTIN_PLUGINS: BuiltinRegistry = {
  'identity-injection': () => import('../plugins/identity-injection/index.js'),
  'team-slug-auth': () => import('../plugins/team-slug-auth/index.js'),
  'dedupe-guard': () => import('../plugins/dedupe-guard/index.js'),
  'queue-persist': () => import('../plugins/queue-persist/index.js'),
  'batch-sync': () => import('../plugins/batch-sync/index.js'),
  'websocket-transport': () => import('../plugins/websocket-transport/index.js'),
};

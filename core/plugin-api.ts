// The published plugin API: `import { definePlugin } from 'spec-kitty/plugin'`. Built-in plugins
// use exactly this entry, as a third party does. No side effects at import.
export { definePlugin } from './plugin.js';
export type {
  Plugin, PluginContext, PluginExport, PluginHooks, PluginPhase, PluginServices, ProcessLifetime, TapOnly,
} from './plugin.js';
export type { BusHooks, DropInfo, HookName } from './hooks.js';
export type { EmitContext } from './emit-context.js';
export type {
  AuthClient, AuthStatus, HubAccess, HubClient, HubErrorKind, HubFailure, HubLimits, HubSession, IdentityService, MachineClock, PersistQueue, ProjectIdentity, QueueCounts,
  QueueListFilter, QueueState, QueueStats, QueuedEvent, ReadQueue, RecentKey, SyncQueue,
} from './services.js';
export { isHubFailure } from './services.js';
export { backoffDelayMs, type BackoffOptions } from '../lib/backoff.js';
export type { Envelope, EventDraft } from '../contract/envelope.js';
export type { EventResult, SyncLimits } from '../contract/sync.js';
export { WP_LANES, type Lane } from '../contract/lanes.js';
export type { Logger } from '../lib/logger.js';
export { schemaOptions } from './schema-options.js';
export { optionsValidator, optionsViolations, type CompiledValidator } from '../contract/index.js';

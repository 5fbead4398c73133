import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The plugin whose code is running: every tap and `apply` runs inside it, and the scope follows
 * what that code starts (timers, sockets), so a host can name the plugin that left work behind.
 */
export const pluginScope = new AsyncLocalStorage<string>();

// The hub's public entry: what the CLI's `hub` commands use. Nothing else of hub/ is imported
// from outside it, and it is loaded only by those commands.
export { AccountError, addUser } from './accounts.js';
export { PublicUrlError, serveHub, type RunningHub, type ServeOptions } from './serve.js';
export { openHubStorage } from './storage/open.js';
export type { HubStorage, Team, User } from './storage/storage.js';

import { definePlugin } from '../../core/plugin.js';

/** Sends events live to the hub over WebSocket when logged in. Not built yet: listed so the pipeline shows where it will run. */
export default definePlugin({
  name: 'websocket-transport',
  phases: ['deliver'],
  description: 'Sends events live to the hub over WebSocket when logged in.',
  implemented: false,
  apply() {},
});

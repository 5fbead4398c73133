import { definePlugin } from 'spec-kitty/plugin';

/** Sends events live to the hub over WebSocket when logged in. Not built yet: listed so the pipeline shows where it will run. */
export default definePlugin({
  name: 'websocket-transport',
  description: 'Sends events live to the hub over WebSocket when logged in.',
  implemented: false,
  apply() {},
});

import { definePlugin } from '../../core/plugin.js';

/** Writes every event to the durable SQLite queue before anything else sees it. Not built yet: listed so the pipeline shows where it will run. */
export default definePlugin({
  name: 'queue-persist',
  phases: ['persist'],
  description: 'Writes every event to the durable SQLite queue before anything else sees it.',
  implemented: false,
  apply() {},
});

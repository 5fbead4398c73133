import { definePlugin } from '../../core/plugin.js';

/** Drops a repeat of the same transition within one command run. Not built yet: listed so the pipeline shows where it will run. */
export default definePlugin({
  name: 'dedupe-guard',
  phases: ['guard'],
  description: 'Drops a repeat of the same transition within one command run.',
  implemented: false,
  apply() {},
});

import { definePlugin } from '../../core/plugin.js';

/** Stamps team_slug from the stored login ("local" when logged out). Not built yet: listed so the pipeline shows where it will run. */
export default definePlugin({
  name: 'team-slug-auth',
  phases: ['enrich'],
  description: 'Stamps team_slug from the stored login ("local" when logged out).',
  implemented: false,
  apply() {},
});

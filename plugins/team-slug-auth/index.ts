import { definePlugin } from 'spec-kitty/plugin';
import { validateOptions } from './options.validate.js';

/** Stamps team_slug from the stored login; "local" when logged out or when the login names no team. */
export default definePlugin({
  name: 'team-slug-auth',
  description: 'Stamps team_slug from the stored login ("local" when logged out).',
  validateOptions,
  apply(hooks, { services }) {
    const auth = services.auth();
    hooks.enrich.tap('team-slug-auth', (envelope) => ({ ...envelope, team_slug: auth.getTeamSlug() }));
  },
});

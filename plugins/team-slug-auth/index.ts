import { rejectUnknown } from '../../core/options.js';
import { definePlugin } from '../../core/plugin.js';
import { TOKENS } from '../../core/tokens.js';

/** Stamps team_slug from the stored login; "local" when logged out or when the login names no team. */
export default definePlugin<Record<string, never>>({
  name: 'team-slug-auth',
  phases: ['enrich'],
  description: 'Stamps team_slug from the stored login ("local" when logged out).',
  validateOptions(raw) {
    rejectUnknown(raw, []);
    return {};
  },
  apply(hooks, { services }) {
    const auth = services.get(TOKENS.Auth);
    hooks.enrich.tap('team-slug-auth', (envelope) => ({ ...envelope, team_slug: auth.getTeamSlug() }));
  },
});

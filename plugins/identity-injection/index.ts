import { definePlugin } from '../../core/plugin.js';

/** Stamps project_uuid and project_slug from .kittify/config.yaml. Not built yet: listed so the pipeline shows where it will run. */
export default definePlugin({
  name: 'identity-injection',
  phases: ['enrich'],
  description: 'Stamps project_uuid and project_slug from .kittify/config.yaml.',
  implemented: false,
  apply() {},
});

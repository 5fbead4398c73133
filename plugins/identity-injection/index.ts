import { definePlugin, type ProjectIdentity } from 'spec-kitty/plugin';
import { validateOptions } from './options.validate.js';

export const MISSING_IDENTITY = 'Event missing project_uuid; queued locally only';

/**
 * Stamps project_uuid and project_slug from `.kittify/config.yaml` (found by walking up
 * from the command's folder). Outside any project the event keeps null identity and is
 * marked not deliverable: it is queued, never sent.
 */
export default definePlugin({
  name: 'identity-injection',
  description: 'Stamps project_uuid and project_slug from .kittify/config.yaml.',
  validateOptions,
  apply(hooks, { services, logger }) {
    // Resolved on the first event, once for the emitter's lifetime: the file is read (and
    // maybe backfilled) at most once per command run.
    let identity: Promise<ProjectIdentity | null> | undefined;
    // Events held here before the project had an identity (its config unreadable, or not made
    // yet) belong to it: they are stamped and made pending, once per run.
    const adoptHeld = async (id: ProjectIdentity) => {
      try {
        const adopted = await services.persistQueue().adoptHeld({ root: id.root }, id, (origin) => services.identity().projectRootOf(origin) === id.root);
        if (adopted > 0) logger.info(`${adopted} held event(s) from this project now carry its identity (${id.project_slug}) and will be sent`);
      } catch (error) {
        logger.debug(`identity-injection: adopting held events failed: ${String(error)}`);
      }
      return id;
    };
    hooks.enrich.tapPromise('identity-injection', async (envelope, context) => {
      identity ??= services.identity().resolve().then((id) => (id ? adoptHeld(id) : null));
      const id = await identity;
      if (!id) {
        logger.warnOnce('identity-injection:missing', MISSING_IDENTITY);
        context.deliverable = false;
        return envelope;
      }
      return { ...envelope, project_uuid: id.project_uuid, project_slug: id.project_slug };
    });
  },
});

// Type-level tests of the published plugin API, checked by the TypeScript compiler
// (test/types/plugin-api.test.ts and `npm run typecheck`). Each @ts-expect-error line must fail
// to type-check: if the API stopped rejecting it, the unused directive would be the error.
import { definePlugin, type Envelope, type PluginHooks } from 'spec-kitty/plugin';

interface SizeOptions { size: number }

// A complete plugin type-checks: typed options, hooks, envelope, context and services.
export const good = definePlugin<SizeOptions>({
  name: 'good',
  validateOptions: (raw) => ({ size: typeof raw.size === 'number' ? raw.size : 1 }),
  apply(hooks, { options, services, logger, projectRoot }) {
    const size: number = options.size;
    hooks.enrich.tap('good', (envelope: Envelope) => ({ ...envelope, team_slug: `team-${size}` }));
    hooks.guard.tapPromise('good', async (envelope, context) => (context.deliverable ? undefined : `held: ${envelope.event_id}`));
    hooks.persist.tapPromise('good', async (envelope, context) => {
      await services.persistQueue().enqueue(envelope, 'pending');
      context.durable = true;
    });
    hooks.deliver.tapPromise('good', async () => { await services.syncQueue().markSent([]); });
    hooks.emitted.tap('good', (envelope) => logger.debug(`${envelope.event_type} in ${projectRoot ?? '-'}`));
    hooks.dropped.tap('good', (_envelope, drop) => logger.debug(drop.reason));
    hooks.flush.tapPromise('good', async (deadline: number) => { void deadline; });
    const recent: Promise<Envelope[]> = services.readQueue().recent({ project_uuid: null, event_type: 'x', aggregate_id: 'y' }, 0);
    void recent;
    const team: string = services.auth().getTeamSlug();
    void team;
  },
});

export const missingHook = definePlugin({
  name: 'missing-hook',
  apply(hooks) {
    // @ts-expect-error there is no hook named "transform"
    hooks.transform.tap('missing-hook', () => {});
  },
});

export const wrongEnrichResult = definePlugin({
  name: 'wrong-enrich',
  apply(hooks) {
    // @ts-expect-error an enrich tap returns an envelope, not a number
    hooks.enrich.tap('wrong-enrich', () => 42);
  },
});

export const wrongGuardResult = definePlugin({
  name: 'wrong-guard',
  apply(hooks) {
    // @ts-expect-error a guard tap returns a reason string (or nothing), not a number
    hooks.guard.tap('wrong-guard', () => 7);
  },
});

export const wrongOptions = definePlugin<SizeOptions>({
  name: 'wrong-options',
  // @ts-expect-error validateOptions must return the plugin's options type
  validateOptions: () => ({ size: 'big' }),
  apply() {},
});

export const noBus = definePlugin({
  name: 'no-bus',
  apply(hooks, { services }) {
    // @ts-expect-error a plugin gets typed services, not the container
    services.get('Bus');
    // @ts-expect-error hooks can be tapped, not called
    hooks.persist.promise();
  },
});

// @ts-expect-error a plugin has a name
export const nameless = definePlugin({ apply() {} });

export type Hooks = PluginHooks;

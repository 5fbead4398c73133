import { definePlugin, type Envelope } from 'spec-kitty/plugin';
import { canonicalJson } from './canonical-json.js';
import { validateOptions } from './options.validate.js';
import type { DedupeOptions } from './options.js';

/** Two events are the same transition when these agree; ids, clocks and timestamps never do. */
export function dedupeKey(e: Envelope): string {
  return JSON.stringify([e.project_uuid, e.event_type, e.aggregate_id, canonicalJson(e.payload)]);
}

/**
 * Drops an event that repeats one already emitted in the same command run (same correlation_id).
 * A key counts as seen only once its event was emitted (persisted), so an event whose persist
 * failed can be retried; a repeat in a later run is a real transition and passes, unless the
 * "window" scope is chosen.
 */
export default definePlugin<DedupeOptions>({
  name: 'dedupe-guard',
  description: 'Drops a repeat of the same transition within one command run (or, by option, a time window).',
  validateOptions,
  apply(hooks, { options, services }) {
    // Per emitter, i.e. per command run; keyed by correlation_id as well in case a host shares one.
    const seen = new Map<string, string>();
    const runKey = (e: Envelope) => `${e.correlation_id}\u0000${dedupeKey(e)}`;
    const what = (e: Envelope) => `${e.event_type} for ${e.aggregate_id} with the same payload`;

    hooks.guard.tapPromise('dedupe-guard', async (envelope) => {
      const earlier = seen.get(runKey(envelope));
      if (earlier) return `duplicate: ${what(envelope)} was already emitted in this command run (event ${earlier})`;
      if (options.scope !== 'window') return undefined;

      const queue = services.readQueue();
      const payload = canonicalJson(envelope.payload);
      const recent = await queue.recent(envelope, Date.now() - options.windowMs);
      const match = recent.find((e) => e.event_id !== envelope.event_id && canonicalJson(e.payload) === payload);
      if (match) return `duplicate: ${what(envelope)} was queued within the last ${options.windowMs} ms (event ${match.event_id})`;
      return undefined;
    });

    hooks.emitted.tap('dedupe-guard', (envelope) => {
      seen.set(runKey(envelope), envelope.event_id);
    });
  },
});

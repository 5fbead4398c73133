import { definePlugin } from 'spec-kitty/plugin';
import { validateOptions } from './options.validate.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export function softCapWarning(pending: number, softCap: number): string {
  const n = (v: number) => v.toLocaleString('en-US');
  return `${n(pending)} events are waiting in the offline queue (soft cap ${n(softCap)}). None is dropped, but the queue keeps growing: ` +
    'they are sent once this machine syncs with your team hub. See them with `spec-kitty sync status` and `spec-kitty sync queue`.';
}

/**
 * Writes every event to the durable per-user queue (`$SPEC_KITTY_HOME/queue.db`) before anything
 * else sees it: deliverable events as `pending`, events without a project identity as `held`,
 * and an event whose change is still to be made as `prepared` until the bus commits or discards it.
 * When its promise resolves the event is on disk; if it rejects, emit fails and nothing was recorded.
 */
export default definePlugin({
  name: 'queue-persist',
  description: 'Writes every event to the durable SQLite queue before anything else sees it.',
  validateOptions,
  apply(hooks, { options, logger, services }) {
    // Counted once per run, then kept by hand: a COUNT per event would cost more than the insert.
    let baseline: Promise<number> | undefined;
    let added = 0;
    let maintained = false;
    // The event is already durable when these run, so their failures must not fail the emit.
    const quietly = <T>(what: string, p: Promise<T>, fallback: T) =>
      p.catch((err: unknown) => { logger.debug(`queue-persist: ${what} failed: ${String(err)}`); return fallback; });

    hooks.persist.tapPromise('queue-persist', async (envelope, context) => {
      const queue = services.persistQueue();
      const state = context.deliverable ? 'pending' : 'held';
      // An event that stands for a change not made yet is kept prepared: never sent until committed.
      const { inserted } = await queue.enqueue(envelope, state, context.intent);
      context.durable = true;

      if (!maintained) {
        maintained = true;
        await quietly('pruning sent events', queue.pruneSent(options.retentionDays * DAY_MS), 0);
      }
      if (state !== 'pending') return;
      if (baseline === undefined) baseline = quietly('counting pending events', queue.countPending(), 0);
      else if (inserted) added += 1;
      const pending = (await baseline) + added;
      if (pending > options.softCap) logger.warnOnce('queue-persist:soft-cap', softCapWarning(pending, options.softCap));
    });

    hooks.commit.tapPromise('queue-persist', (envelope) => services.persistQueue().commit(envelope.event_id));
    hooks.discard.tapPromise('queue-persist', (envelope) => services.persistQueue().discard(envelope.event_id));
  },
});

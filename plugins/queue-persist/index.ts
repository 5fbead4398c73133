import { optionalNumber, rejectUnknown } from '../../core/options.js';
import { definePlugin } from '../../core/plugin.js';
import { TOKENS } from '../../core/tokens.js';

export interface QueuePersistOptions {
  /** Pending events above which every emitting command warns; nothing is ever dropped. */
  softCap: number;
  /** Sent events are kept this long (for `spec-kitty sync queue`), then pruned. */
  retentionDays: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function softCapWarning(pending: number, softCap: number): string {
  const n = (v: number) => v.toLocaleString('en-US');
  return `${n(pending)} events are waiting in the offline queue (soft cap ${n(softCap)}). None is dropped, but the queue keeps growing: ` +
    'they are sent once this machine syncs with your team hub. See them with `spec-kitty sync status` and `spec-kitty sync queue`.';
}

/**
 * Writes every event to the durable per-user queue (`$SPEC_KITTY_HOME/queue.db`) before anything
 * else sees it: deliverable events as `pending`, events without a project identity as `held`.
 * When its promise resolves the event is on disk; if it rejects, emit fails and nothing was recorded.
 */
export default definePlugin<QueuePersistOptions>({
  name: 'queue-persist',
  phases: ['persist'],
  description: 'Writes every event to the durable SQLite queue before anything else sees it.',
  validateOptions(raw) {
    rejectUnknown(raw, ['softCap', 'retentionDays']);
    return {
      softCap: Math.floor(optionalNumber(raw, 'softCap', 100_000, 0)),
      retentionDays: optionalNumber(raw, 'retentionDays', 7, 0),
    };
  },
  apply(hooks, { options, logger, services }) {
    // Counted once per run, then kept by hand: a COUNT per event would cost more than the insert.
    let baseline: Promise<number> | undefined;
    let added = 0;
    let maintained = false;
    // The event is already durable when these run, so their failures must not fail the emit.
    const quietly = <T>(what: string, p: Promise<T>, fallback: T) =>
      p.catch((err: unknown) => { logger.debug(`queue-persist: ${what} failed: ${String(err)}`); return fallback; });

    hooks.persist.tapPromise('queue-persist', async (envelope, context) => {
      const queue = services.get(TOKENS.Queue);
      const state = context.deliverable ? 'pending' : 'held';
      const { inserted } = await queue.enqueue(envelope, state);
      context.durable = true;

      if (!maintained && queue.pruneSent) {
        maintained = true;
        await quietly('pruning sent events', queue.pruneSent(options.retentionDays * DAY_MS), 0);
      }
      if (state !== 'pending' || !queue.countPending) return;
      if (baseline === undefined) baseline = quietly('counting pending events', queue.countPending(), 0);
      else if (inserted) added += 1;
      const pending = (await baseline) + added;
      if (pending > options.softCap) logger.warnOnce('queue-persist:soft-cap', softCapWarning(pending, options.softCap));
    });
  },
});

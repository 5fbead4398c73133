import { definePlugin } from 'spec-kitty/plugin';
import type { BatchSync } from './drain.js';
import { validateOptions } from './options.validate.js';
import type { BatchSyncOptions } from './options.js';

const NAME = 'batch-sync';

/**
 * Sends the queue to the team hub in gzip batches when the emitter closes: `flush(deadline)`
 * drains until nothing is pending or the deadline, `stop` cuts what is in flight. Logged out, it
 * sends nothing (events keep queueing); with nothing pending it makes no network call.
 */
export default definePlugin<BatchSyncOptions>({
  name: NAME,
  description: 'Sends queued events to the team hub in gzip batches (leased, per-event results, backoff); only queues when logged out.',
  validateOptions,
  apply(hooks, { options, logger, services }) {
    // The engine loads at the first flush with time to send: a command that hands its events to
    // the background drainer (a deadline already passed) never pays for its code.
    let engine: Promise<BatchSync> | undefined;
    const sync = () => (engine ??= import('./drain.js').then((m) => m.createBatchSync(services, options, logger)));

    // Nothing to do at start: sending waits for flush, and must not touch the network before.
    hooks.start.tap(NAME, () => {
      logger.debug(`${NAME}: ready; pending events are sent at flush`);
    });

    hooks.flush.tapPromise(NAME, async (deadline) => {
      if (deadline <= Date.now()) return;
      // What waits for its next attempt (an earlier failure) or is another process's is left to it.
      const s = await (await sync()).drain({ deadline, stopWhenIdle: true });
      if (s.sent + s.duplicate + s.dead + s.retried > 0 || s.error) {
        logger.debug(`${NAME}: sent ${s.sent}, duplicate ${s.duplicate}, dead ${s.dead}, retried ${s.retried}, left ${s.left}${s.error ? ` (last error: ${s.error})` : ''}`);
      }
    });

    hooks.stop.tapPromise(NAME, async () => {
      await (await engine)?.stop();
    });
  },
});

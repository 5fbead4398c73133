import { definePlugin } from 'spec-kitty/plugin';
import type { LiveSocket } from './live-socket.js';
import { validateOptions } from './options.validate.js';

const NAME = 'websocket-transport';

/**
 * Delivers events live over the hub's WebSocket when logged in: the ack marks the event sent
 * (or dead, when rejected); no ack in time leaves it pending for batch sync. The socket opens in
 * the background at the first emit of a long-lived process and is reused. A CLI command ends
 * before a socket would pay for itself, so there its events go by batch sync's background drain.
 */
export default definePlugin({
  name: NAME,
  description: 'Sends events live to the hub over WebSocket when logged in (long-lived processes; CLI commands leave them to batch sync).',
  validateOptions,
  apply(hooks, { options, logger, services, lifetime }) {
    // Loaded only where a socket may open: a CLI command never pays for the socket's code.
    let live: Promise<LiveSocket> | undefined;
    const socket = () => (live ??= import('./live-socket.js').then((m) => new m.LiveSocket({ hub: services.hub, session: services.session, logger, options })));
    const wanted = () => lifetime === 'long' && services.auth().status().loggedIn;

    hooks.start.tapPromise(NAME, async () => {
      if (wanted()) (await socket()).open();
    });

    hooks.deliver.tapPromise(NAME, async (envelope) => {
      if (!wanted()) return;
      const s = await socket();
      s.open();
      // Never waits for a connection: until it is open, batch sync sends the event.
      if (!s.ready) return;
      const ack = await s.send(envelope);
      if (!ack) return;
      if (ack.status === 'rejected') await services.syncQueue().markDead(envelope.event_id, ack.error_message ?? 'rejected by the hub');
      else await services.syncQueue().markSent([envelope.event_id]);
    });

    hooks.stop.tapPromise(NAME, async (deadline) => {
      await (await live)?.stop(deadline);
    });
  },
});

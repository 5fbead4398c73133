import { definePlugin } from 'spec-kitty/plugin';
import { LiveSocket } from './live-socket.js';
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
    let live: LiveSocket | undefined;
    const socket = () => (live ??= new LiveSocket({ hub: services.hub, session: services.session, logger, options }));
    const wanted = () => lifetime === 'long' && services.auth().status().loggedIn;

    hooks.start.tapPromise(NAME, async () => {
      if (wanted()) socket().open();
    });

    hooks.deliver.tapPromise(NAME, async (envelope) => {
      if (!wanted()) return;
      const s = socket();
      s.open();
      // Never waits for a connection: until it is open, batch sync sends the event.
      if (!s.ready) return;
      const ack = await s.send(envelope);
      if (!ack) return;
      if (ack.status === 'rejected') await services.syncQueue().markDead(envelope.event_id, ack.error_message ?? 'rejected by the hub');
      else await services.syncQueue().markSent([envelope.event_id]);
    });

    hooks.stop.tapPromise(NAME, async (deadline) => {
      await live?.stop(deadline);
    });
  },
});

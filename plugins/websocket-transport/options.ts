/** Options of websocket-transport; compiled by `npm run schemas` into options.check.js. */
import { Type, type Static } from '@sinclair/typebox';

export const WebsocketTransportOptionsSchema = Type.Object({
  /** How long a deliver waits for the hub's ack; past it the event stays pending for batch sync. Within the deliver deadline. */
  ackTimeoutMs: Type.Optional(Type.Number({ minimum: 1, maximum: 60_000, default: 800 })),
  /** A ping this often; a socket that did not answer the previous one is cut and reopened. */
  pingIntervalMs: Type.Optional(Type.Number({ minimum: 100, default: 20_000 })),
  /** The ws-token exchange, the upgrade and the snapshot must finish within this. */
  connectTimeoutMs: Type.Optional(Type.Number({ minimum: 1, default: 5_000 })),
  /** Reconnects back off exponentially with full jitter from this... */
  reconnectBaseMs: Type.Optional(Type.Number({ minimum: 1, default: 500 })),
  /** ...up to this. */
  reconnectMaxMs: Type.Optional(Type.Number({ minimum: 1, default: 30_000 })),
}, { additionalProperties: false });
/** As written in plugins.json. */
export type WebsocketTransportOptionsInput = Static<typeof WebsocketTransportOptionsSchema>;
/** After defaults. */
export type WebsocketTransportOptions = Required<WebsocketTransportOptionsInput>;

/** Options of queue-persist; compiled by `npm run schemas` into options.check.js. */
import { Type, type Static } from '@sinclair/typebox';

export const QueuePersistOptionsSchema = Type.Object({
  /** Pending events above which every emitting command warns; nothing is ever dropped. Floored to an integer. */
  softCap: Type.Optional(Type.Number({ minimum: 0, default: 100_000 })),
  /** Sent events are kept this long (for `spec-kitty sync queue`), then pruned. */
  retentionDays: Type.Optional(Type.Number({ minimum: 0, default: 7 })),
}, { additionalProperties: false });
/** As written in plugins.json. */
export type QueuePersistOptionsInput = Static<typeof QueuePersistOptionsSchema>;
/** After defaults (softCap floored). */
export type QueuePersistOptions = Required<QueuePersistOptionsInput>;

/** Options of batch-sync; compiled by `npm run schemas` into options.check.js. */
import { Type, type Static } from '@sinclair/typebox';

export const BatchSyncOptionsSchema = Type.Object({
  /** Events per batch; the hub takes at most 1000. */
  maxEvents: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 1000 })),
  /** Bytes of JSON per batch before gzip; the hub takes at most 1 MiB. */
  maxBytes: Type.Optional(Type.Integer({ minimum: 1024, maximum: 1_048_576, default: 524_288 })),
  /** How long claimed events stay ours; another process may send them after that. */
  leaseMs: Type.Optional(Type.Integer({ minimum: 1000, default: 60_000 })),
  /** Backoff after failures of a whole batch: full jitter under min(backoffMaxMs, backoffBaseMs · 2^n). */
  backoffBaseMs: Type.Optional(Type.Integer({ minimum: 1, default: 500 })),
  backoffMaxMs: Type.Optional(Type.Integer({ minimum: 1, default: 30_000 })),
  /**
   * Ask the hub's health route for its limits once per drain. Off by default: the defaults are
   * within our hub's limits, a 413 carries them anyway, and that request cannot be cut at the
   * deadline (HubClient.health takes no signal).
   */
  checkHubLimits: Type.Optional(Type.Boolean({ default: false })),
}, { additionalProperties: false });
/** As written in plugins.json. */
export type BatchSyncOptionsInput = Static<typeof BatchSyncOptionsSchema>;
/** After defaults. */
export type BatchSyncOptions = Required<BatchSyncOptionsInput>;

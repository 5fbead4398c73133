/**
 * Shapes of the sync protocol (DESIGN §6): HTTP bodies of the hub's API and the WebSocket
 * messages. Responses allow extra keys (an older client keeps working against a newer hub);
 * requests the hub parses are strict where the protocol is ours.
 */
import { Type, type Static } from '@sinclair/typebox';
import { EnvelopeSchema, IngestEnvelopeSchema, LaneSchema, payloadRules } from './envelope.js';
import { MAX_EVENTS_PER_BATCH } from './limits.js';
import { ISO_UTC_LENIENT, UUID } from './patterns.js';
import { NonEmptyString, Nullable, StringEnum } from './schema-parts.js';

const Seconds = () => Type.Number({ minimum: 0, 'x-must': 'be a number of seconds ≥ 0' });
const Count = () => Type.Integer({ minimum: 0, 'x-must': 'be an integer ≥ 0' });

// POST /api/v1/token/  and  POST /api/v1/token/refresh/
export const TokenRequestSchema = Type.Object({
  username: NonEmptyString(),
  password: NonEmptyString(),
}, { additionalProperties: false });
export type TokenRequest = Static<typeof TokenRequestSchema>;

export const RefreshRequestSchema = Type.Object({ refresh: NonEmptyString() }, { additionalProperties: false });
export type RefreshRequest = Static<typeof RefreshRequestSchema>;

/** The answer to a login and to a refresh (then with both tokens rotated). */
export const TokenResponseSchema = Type.Object({
  access: NonEmptyString(),
  refresh: NonEmptyString(),
  access_lifetime: Seconds(),
  refresh_lifetime: Seconds(),
  team_slug: NonEmptyString(),
});
export type TokenResponse = Static<typeof TokenResponseSchema>;

// POST /api/v1/events/batch/
export const EVENT_RESULT_STATUSES = ['success', 'duplicate', 'rejected'] as const;
export const EventResultStatusSchema = StringEnum(EVENT_RESULT_STATUSES);
export type EventResultStatus = Static<typeof EventResultStatusSchema>;

/** A batch as the hub accepts it: 2.x-compatible envelopes, at most 1000. */
export const BatchRequestSchema = Type.Object({
  events: Type.Array(IngestEnvelopeSchema, { maxItems: MAX_EVENTS_PER_BATCH }),
});
export type BatchRequest = Static<typeof BatchRequestSchema>;

/** A batch as our client sends it. */
export const ClientBatchRequestSchema = Type.Object({
  events: Type.Array(EnvelopeSchema, { maxItems: MAX_EVENTS_PER_BATCH }),
}, { additionalProperties: false });
export type ClientBatchRequest = Static<typeof ClientBatchRequestSchema>;

// `event_id` is "" for an item the hub could not read an id from: every item still gets its result.
export const EventResultSchema = Type.Object({
  event_id: Type.String(),
  status: EventResultStatusSchema,
  error_message: Type.Optional(Type.String()),
});
export type EventResult = Static<typeof EventResultSchema>;

/** 200: exactly one result per event sent. */
export const BatchResponseSchema = Type.Object({ results: Type.Array(EventResultSchema) });
export type BatchResponse = Static<typeof BatchResponseSchema>;

/** 400: the whole request was refused; `details` names poison events when the hub can tell. */
export const BadRequestBodySchema = Type.Object({
  error: Type.String(),
  details: Type.Optional(Type.Array(Type.Object({ event_id: Type.String(), error: Type.String() }))),
});
export type BadRequestBody = Static<typeof BadRequestBodySchema>;

export const SyncLimitsSchema = Type.Object({
  max_events_per_batch: Count(),
  max_decompressed_bytes_per_batch: Count(),
  max_event_bytes: Type.Optional(Count()),
});
export type SyncLimits = Static<typeof SyncLimitsSchema>;

/** 413: the batch was too large; the client halves it. */
export const TooLargeBodySchema = Type.Object({ limits: SyncLimitsSchema });
export type TooLargeBody = Static<typeof TooLargeBodySchema>;

// GET /api/v1/sync/health/
export const HealthResponseSchema = Type.Object({
  status: Type.Literal('ok'),
  sync_ingress: Type.Object({
    limits: Type.Object({ max_events_per_batch: Count(), max_decompressed_bytes_per_batch: Count() }),
  }),
});
export type HealthResponse = Static<typeof HealthResponseSchema>;

// POST /api/v1/ws-token/ (no body)
export const WsTokenResponseSchema = Type.Object({ ws_token: NonEmptyString(), expires_in: Seconds() });
export type WsTokenResponse = Static<typeof WsTokenResponseSchema>;

// POST /api/v1/logout/
export const LogoutResponseSchema = Type.Object({ status: Type.Literal('logged_out') });
export type LogoutResponse = Static<typeof LogoutResponseSchema>;

/**
 * Any refusal or failure of the hub: a code and a sentence. 413s carry the limits (see
 * TooLargeBody), 429s the seconds to wait (also in Retry-After).
 */
export const ErrorBodySchema = Type.Object({
  error: NonEmptyString(),
  message: Type.String(),
  limits: Type.Optional(SyncLimitsSchema),
  retry_after: Type.Optional(Seconds()),
});
export type ErrorBody = Static<typeof ErrorBodySchema>;

/** 413 as the hub sends it: an error body whose limits are always there. */
export const TooLargeErrorBodySchema = Type.Object({ ...ErrorBodySchema.properties, limits: SyncLimitsSchema });

// GET /api/v1/projects/ (the hub's read API, for the dashboard and tools)
const NullableText = () => Nullable(Type.String(), 'be a string or null');
/** A work package on the board: its lane, and the event that set it (its clock, node and time). */
export const BoardWorkPackageSchema = Type.Object({
  wp_id: NonEmptyString(),
  lane: LaneSchema,
  title: NullableText(),
  lamport_clock: IngestEnvelopeSchema.properties.lamport_clock,
  node_id: IngestEnvelopeSchema.properties.node_id,
  updated_at: Type.String(),
});
export const BoardFeatureSchema = Type.Object({
  feature_slug: NonEmptyString(),
  name: NullableText(),
  completed_at: NullableText(),
  wps: Type.Array(BoardWorkPackageSchema),
});
export const BoardProjectSchema = Type.Object({
  project_uuid: Type.String({ pattern: UUID, 'x-must': 'be a UUID' }),
  project_slug: NonEmptyString(),
  features: Type.Array(BoardFeatureSchema),
  node_ids: Type.Array(IngestEnvelopeSchema.properties.node_id),
  event_count: Count(),
  last_event_at: NullableText(),
});
export const ProjectsResponseSchema = Type.Object({
  team_slug: NonEmptyString(),
  projects: Type.Array(BoardProjectSchema),
});
export type ProjectsResponse = Static<typeof ProjectsResponseSchema>;

// GET /api/v1/projects/{uuid}/events/?limit=N&before=SEQ
/** One stored event: the envelope as received (2.x-compatible), its place and arrival time. */
export const StoredEventSchema = Type.Object({
  seq: Type.Integer({ minimum: 1, 'x-must': 'be an integer ≥ 1' }),
  received_at: Type.String({ pattern: ISO_UTC_LENIENT, 'x-must': 'be ISO-8601 UTC' }),
  envelope: IngestEnvelopeSchema,
});
/** Newest first; `next_before` pages on (null on the last page). */
export const ProjectEventsResponseSchema = Type.Object({
  events: Type.Array(StoredEventSchema),
  next_before: Nullable(Type.Integer({ minimum: 1 }), 'be an integer ≥ 1 or null'),
});
export type ProjectEventsResponse = Static<typeof ProjectEventsResponseSchema>;

// WebSocket /ws/v1/events/
/** A project the team's board shows. */
export const SnapshotProjectSchema = Type.Object({
  project_uuid: Type.String({ pattern: UUID, 'x-must': 'be a UUID' }),
  project_slug: Nullable(Type.String({ minLength: 1 }), 'be a non-empty string or null'),
});
/** One work package of the materialized board. */
export const SnapshotWorkPackageSchema = Type.Object({
  project_uuid: Type.String({ pattern: UUID, 'x-must': 'be a UUID' }),
  feature_slug: NonEmptyString(),
  wp_id: NonEmptyString(),
  lane: LaneSchema,
});

export const WsSnapshotMessageSchema = Type.Object({
  type: Type.Literal('snapshot'),
  work_packages: Type.Array(SnapshotWorkPackageSchema),
  projects: Type.Array(SnapshotProjectSchema),
});
/** An event of the team, pushed by the hub: a stored (2.x-compatible) envelope plus `type`. */
export const WsEventMessageSchema = Type.Object({
  type: Type.Literal('event'),
  ...IngestEnvelopeSchema.properties,
}, { additionalProperties: true, ...payloadRules });
export const WsAckMessageSchema = Type.Object({
  type: Type.Literal('ack'),
  event_id: Type.String(),
  status: EventResultStatusSchema,
  error_message: Type.Optional(Type.String()),
});
export const WsPingMessageSchema = Type.Object({
  type: Type.Literal('ping'),
  timestamp: Type.String({ pattern: ISO_UTC_LENIENT, 'x-must': 'be ISO-8601 UTC' }),
});
export const WsPongMessageSchema = Type.Object({
  type: Type.Literal('pong'),
  timestamp: Type.Optional(Type.String()),
});

export type WsSnapshotMessage = Static<typeof WsSnapshotMessageSchema>;
export type WsEventMessage = Static<typeof WsEventMessageSchema>;
export type WsAckMessage = Static<typeof WsAckMessageSchema>;
export type WsPingMessage = Static<typeof WsPingMessageSchema>;
export type WsPongMessage = Static<typeof WsPongMessageSchema>;

/** What the hub sends on the socket. */
export const WsServerMessageSchema = Type.Union([
  WsSnapshotMessageSchema, WsEventMessageSchema, WsAckMessageSchema, WsPingMessageSchema, WsPongMessageSchema,
]);
export type WsServerMessage = Static<typeof WsServerMessageSchema>;

/** What a client sends: an envelope (bare, or with `"type":"event"`), a ping or a pong. */
export const WsClientMessageSchema = Type.Union([WsPingMessageSchema, WsPongMessageSchema, IngestEnvelopeSchema]);
export type WsClientMessage = Static<typeof WsClientMessageSchema>;

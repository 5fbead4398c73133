/**
 * The envelope of one event (DESIGN §4) as a TypeBox schema: the TypeScript type and the JSON
 * Schema from one source. The CLI never imports this file at run time (it uses the compiled
 * validators in envelope.check.js); the generator, the hub and type-only imports do.
 */
import { Type, type Static } from '@sinclair/typebox';
import { WP_LANES } from './lanes.js';
import { ISO_UTC, ISO_UTC_LENIENT, NODE_ID, ULID, UUID, WP_ID } from './patterns.js';
import { AnyObject, NonEmptyString, Nullable, StringEnum } from './schema-parts.js';

import type { EnvelopeKey } from './keys.js';

export { ENVELOPE_KEYS, WP_STATUS_CHANGED_KEYS, type EnvelopeKey } from './keys.js';

export const LaneSchema = StringEnum(WP_LANES, { 'x-must': `be one of ${WP_LANES.join(', ')}` });

/** Payload of WPStatusChanged: these keys are required; extra keys are allowed. */
export const WPStatusChangedPayloadSchema = Type.Object({
  wp_id: Type.String({ pattern: WP_ID, 'x-must': 'match WP\\d{2}' }),
  previous_status: LaneSchema,
  new_status: LaneSchema,
  changed_by: NonEmptyString(),
  feature_slug: NonEmptyString(),
}, { additionalProperties: true });
export type WPStatusChangedPayload = Static<typeof WPStatusChangedPayloadSchema>;

/** Per-event-type payload rules, applied with if/then so unknown event types pass. */
export const payloadRules = {
  if: { properties: { event_type: { const: 'WPStatusChanged' } }, required: ['event_type'] },
  then: { properties: { payload: WPStatusChangedPayloadSchema } },
};

const ulid = (must: string) => Type.String({ pattern: ULID, 'x-must': must });

const commonProperties = {
  event_id: ulid('be a 26-char ULID'),
  event_type: NonEmptyString(),
  aggregate_id: NonEmptyString(),
  aggregate_type: NonEmptyString(),
  payload: AnyObject(),
  node_id: Type.String({ pattern: NODE_ID, 'x-must': 'be 12 lowercase hex chars' }),
  lamport_clock: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, 'x-must': 'be an integer ≥ 1' }),
  causation_id: Nullable(Type.String({ pattern: ULID }), 'be a ULID or null'),
  team_slug: NonEmptyString(),
  project_uuid: Nullable(Type.String({ pattern: UUID }), 'be a UUID or null'),
  project_slug: Nullable(Type.String({ minLength: 1 }), 'be a non-empty string or null'),
};

/** What our CLI emits and queues: all 13 keys, nothing else. */
export const EnvelopeSchema = Type.Object({
  event_id: commonProperties.event_id,
  event_type: commonProperties.event_type,
  aggregate_id: commonProperties.aggregate_id,
  aggregate_type: commonProperties.aggregate_type,
  payload: commonProperties.payload,
  timestamp: Type.String({ pattern: ISO_UTC, 'x-must': 'be ISO-8601 UTC (…Z)' }),
  node_id: commonProperties.node_id,
  lamport_clock: commonProperties.lamport_clock,
  causation_id: commonProperties.causation_id,
  correlation_id: ulid('be a ULID'),
  team_slug: commonProperties.team_slug,
  project_uuid: commonProperties.project_uuid,
  project_slug: commonProperties.project_slug,
}, { additionalProperties: false, ...payloadRules });
export type Envelope = Static<typeof EnvelopeSchema>;

/**
 * What the hub accepts (DESIGN §6, compatibility with 2.x clients): `correlation_id` may be
 * missing, timestamps may carry microseconds and `+00:00`, unknown extra keys are ignored and
 * any event type is stored. Known event types still have their payload checked.
 */
export const IngestEnvelopeSchema = Type.Object({
  event_id: commonProperties.event_id,
  event_type: commonProperties.event_type,
  aggregate_id: commonProperties.aggregate_id,
  aggregate_type: commonProperties.aggregate_type,
  payload: commonProperties.payload,
  timestamp: Type.String({ pattern: ISO_UTC_LENIENT, 'x-must': 'be ISO-8601 UTC (…Z or …+00:00)' }),
  node_id: commonProperties.node_id,
  lamport_clock: commonProperties.lamport_clock,
  causation_id: commonProperties.causation_id,
  correlation_id: Type.Optional(ulid('be a ULID')),
  team_slug: commonProperties.team_slug,
  project_uuid: commonProperties.project_uuid,
  project_slug: commonProperties.project_slug,
}, { additionalProperties: true, ...payloadRules });
export type IngestEnvelope = Static<typeof IngestEnvelopeSchema>;

/** What a command hands to `emit`; core fills in the rest. */
export type EventDraft = Pick<Envelope, 'event_type' | 'aggregate_id' | 'aggregate_type' | 'payload'> & {
  causation_id?: string | null;
};

// ENVELOPE_KEYS (typebox-free, in keys.ts) and the schema must name the same keys.
type SameKeys = [EnvelopeKey] extends [keyof Envelope] ? ([keyof Envelope] extends [EnvelopeKey] ? true : false) : false;
export const ENVELOPE_KEYS_MATCH_SCHEMA: SameKeys = true;

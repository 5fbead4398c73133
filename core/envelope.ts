/** The wire contract of one event (DESIGN §4). Every key is always present. */
export interface Envelope {
  event_id: string;
  event_type: string;
  aggregate_id: string;
  aggregate_type: string;
  payload: Record<string, unknown>;
  timestamp: string;
  node_id: string;
  lamport_clock: number;
  causation_id: string | null;
  correlation_id: string;
  team_slug: string;
  project_uuid: string | null;
  project_slug: string | null;
}

/** What a command hands to `emit`; core fills in the rest. */
export interface EventDraft {
  event_type: string;
  aggregate_id: string;
  aggregate_type: string;
  payload: Record<string, unknown>;
  causation_id?: string | null;
}

export const ENVELOPE_KEYS = [
  'event_id', 'event_type', 'aggregate_id', 'aggregate_type', 'payload', 'timestamp', 'node_id',
  'lamport_clock', 'causation_id', 'correlation_id', 'team_slug', 'project_uuid', 'project_slug',
] as const satisfies readonly (keyof Envelope)[];

export const WP_LANES = ['planned', 'doing', 'for_review', 'done'] as const;
export type Lane = (typeof WP_LANES)[number];

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NODE_ID = /^[0-9a-f]{12}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const WP_ID = /^WP\d{2}$/;

export class ContractError extends Error {
  constructor(readonly violations: string[]) {
    super(`event violates the envelope contract: ${violations.join('; ')}`);
    this.name = 'ContractError';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/** Lists every violated rule, so one run shows everything that is wrong with an event. */
export function envelopeViolations(value: unknown): string[] {
  if (!isObject(value)) return ['envelope must be an object'];
  const e = value;
  const out: string[] = [];
  const check = (ok: boolean, msg: string) => { if (!ok) out.push(msg); };

  check(typeof e.event_id === 'string' && ULID.test(e.event_id), 'event_id must be a 26-char ULID');
  check(nonEmpty(e.event_type), 'event_type must be a non-empty string');
  check(nonEmpty(e.aggregate_id), 'aggregate_id must be a non-empty string');
  check(nonEmpty(e.aggregate_type), 'aggregate_type must be a non-empty string');
  check(isObject(e.payload), 'payload must be an object');
  check(typeof e.timestamp === 'string' && ISO_UTC.test(e.timestamp) && !Number.isNaN(Date.parse(e.timestamp)),
    'timestamp must be ISO-8601 UTC (…Z)');
  check(typeof e.node_id === 'string' && NODE_ID.test(e.node_id), 'node_id must be 12 lowercase hex chars');
  check(Number.isSafeInteger(e.lamport_clock) && (e.lamport_clock as number) >= 1, 'lamport_clock must be an integer ≥ 1');
  check(e.causation_id === null || (typeof e.causation_id === 'string' && ULID.test(e.causation_id)),
    'causation_id must be a ULID or null');
  check(typeof e.correlation_id === 'string' && ULID.test(e.correlation_id), 'correlation_id must be a ULID');
  check(nonEmpty(e.team_slug), 'team_slug must be a non-empty string');
  check(e.project_uuid === null || (typeof e.project_uuid === 'string' && UUID.test(e.project_uuid)),
    'project_uuid must be a UUID or null');
  check(e.project_slug === null || nonEmpty(e.project_slug), 'project_slug must be a non-empty string or null');
  for (const key of Object.keys(e)) {
    check((ENVELOPE_KEYS as readonly string[]).includes(key), `unknown key ${JSON.stringify(key)}`);
  }
  if (e.event_type === 'WPStatusChanged' && isObject(e.payload)) out.push(...wpStatusViolations(e.payload));
  return out;
}

function wpStatusViolations(p: Record<string, unknown>): string[] {
  const out: string[] = [];
  const lane = (v: unknown) => typeof v === 'string' && (WP_LANES as readonly string[]).includes(v);
  if (!(typeof p.wp_id === 'string' && WP_ID.test(p.wp_id))) out.push('payload.wp_id must match WP\\d{2}');
  if (!lane(p.previous_status)) out.push(`payload.previous_status must be one of ${WP_LANES.join(', ')}`);
  if (!lane(p.new_status)) out.push(`payload.new_status must be one of ${WP_LANES.join(', ')}`);
  if (!nonEmpty(p.changed_by)) out.push('payload.changed_by must be a non-empty string');
  if (!nonEmpty(p.feature_slug)) out.push('payload.feature_slug must be a non-empty string');
  return out;
}

export function assertEnvelope(value: unknown): asserts value is Envelope {
  const violations = envelopeViolations(value);
  if (violations.length > 0) throw new ContractError(violations);
}

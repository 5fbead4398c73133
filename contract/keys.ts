/** Key lists of the envelope (DESIGN §4), typebox-free so the CLI can import them cheaply. */

/** Every key of an envelope, in wire order; all are always present. */
export const ENVELOPE_KEYS = [
  'event_id', 'event_type', 'aggregate_id', 'aggregate_type', 'payload', 'timestamp', 'node_id',
  'lamport_clock', 'causation_id', 'correlation_id', 'team_slug', 'project_uuid', 'project_slug',
] as const;
export type EnvelopeKey = (typeof ENVELOPE_KEYS)[number];

/** The payload keys a WPStatusChanged event must carry (it may carry more). */
export const WP_STATUS_CHANGED_KEYS = ['wp_id', 'previous_status', 'new_status', 'changed_by', 'feature_slug'] as const;

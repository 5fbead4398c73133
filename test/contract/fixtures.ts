import type { Envelope } from '../../contract/envelope.js';

export const ULID_A = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
export const ULID_B = '01ARZ3NDEKTSV4RRFFQ69G5FAW';

/** A valid WPStatusChanged envelope; `over` replaces fields. */
export function envelope(over: Partial<Record<keyof Envelope, unknown>> & Record<string, unknown> = {}): Envelope {
  return {
    event_id: ULID_A,
    event_type: 'WPStatusChanged',
    aggregate_id: 'WP01',
    aggregate_type: 'WorkPackage',
    payload: { wp_id: 'WP01', previous_status: 'planned', new_status: 'doing', changed_by: 'ada', feature_slug: '001-x' },
    timestamp: '2024-05-01T10:00:00.123Z',
    node_id: '0123456789ab',
    lamport_clock: 3,
    causation_id: null,
    correlation_id: ULID_B,
    team_slug: 'local',
    project_uuid: '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b',
    project_slug: 'alpha',
    ...over,
  } as Envelope;
}

import type { Envelope } from '../../contract/index.js';
import { newUlid } from '../../lib/ulid.js';

export const PROJECT_A = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
export const PROJECT_B = '0a1b2c3d-4e5f-4061-8273-94a5b6c7d8e9';

let clock = 0;

/** A valid WPStatusChanged envelope (fresh ids, rising clock); `over` replaces fields. */
export function envelope(over: Partial<Envelope> = {}): Envelope {
  return {
    event_id: newUlid(),
    event_type: 'WPStatusChanged',
    aggregate_id: 'WP01',
    aggregate_type: 'WorkPackage',
    payload: { wp_id: 'WP01', previous_status: 'planned', new_status: 'doing', changed_by: 'ada', feature_slug: '001-x' },
    timestamp: new Date().toISOString(),
    node_id: '0123456789ab',
    lamport_clock: ++clock,
    causation_id: null,
    correlation_id: newUlid(),
    team_slug: 'local',
    project_uuid: PROJECT_A,
    project_slug: 'alpha',
    ...over,
  };
}

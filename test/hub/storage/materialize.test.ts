import test from 'ava';
import {
  applyEvent,
  compareStamps,
  eventTarget,
  normalizeTimestamp,
  toBoardProject,
  type BoardSlice,
} from '../../../hub/materialize/index.js';
import { PROJECT_A } from '../../helpers/envelope.js';
import { ingestEnvelope } from './suite.js';

// The pure board rules (hub/materialize), without a storage.

test('materialize: timestamps normalize to ISO Z with milliseconds', (t) => {
  t.is(normalizeTimestamp('2026-02-03T04:05:06.789123+00:00'), '2026-02-03T04:05:06.789Z');
  t.is(normalizeTimestamp('2026-02-03T04:05:06+00:00'), '2026-02-03T04:05:06.000Z');
  t.is(normalizeTimestamp('2026-02-03T04:05:06.7Z'), '2026-02-03T04:05:06.700Z');
  t.is(normalizeTimestamp('not a time'), 'not a time');
});

test('materialize: stamps order by Lamport clock, then node id, then event id', (t) => {
  t.true(compareStamps({ lamport: 2, node: '000000000000', event: 'A' }, { lamport: 10, node: 'ffffffffffff', event: 'A' }) < 0);
  t.true(compareStamps({ lamport: 5, node: 'bbbbbbbbbbbb', event: 'A' }, { lamport: 5, node: 'aaaaaaaaaaaa', event: 'Z' }) > 0);
  t.true(compareStamps({ lamport: 5, node: 'aaaaaaaaaaaa', event: 'A' }, { lamport: 5, node: 'aaaaaaaaaaaa', event: 'B' }) < 0);
});

test('materialize: targets: no project identity means no board; uuids are lower-cased', (t) => {
  t.is(eventTarget(ingestEnvelope({ project_uuid: null, project_slug: null })), null);
  t.deepEqual(eventTarget(ingestEnvelope({ project_uuid: PROJECT_A.toUpperCase() })), { project_uuid: PROJECT_A, feature_slug: '001-x', wp_id: 'WP01' });
  t.deepEqual(eventTarget(ingestEnvelope({ event_type: 'Other', payload: { feature_slug: 'f', wp_id: 'WP02' } })), { project_uuid: PROJECT_A, feature_slug: null, wp_id: null });
});

test('materialize: malformed payloads of board events never throw and only count', (t) => {
  const empty: BoardSlice = { project: null, feature: null, wp: null };
  for (const payload of [{}, { feature_slug: 7, wp_id: null }, { wp_id: 'WP01' }]) {
    for (const event_type of ['WPCreated', 'FeatureCreated', 'FeatureCompleted']) {
      const slice = applyEvent(empty, ingestEnvelope({ event_type, payload }));
      t.is(slice.project?.event_count, 1);
      t.is(slice.wp, null);
    }
  }
});

test('materialize: toBoardProject sorts features and WPs and lists features known only from WPs', (t) => {
  let slice: BoardSlice = { project: null, feature: null, wp: null };
  const board = [];
  for (const [wp, feature] of [['WP02', 'b'], ['WP01', 'b'], ['WP01', 'a']] as const) {
    slice = applyEvent({ project: slice.project, feature: null, wp: null }, ingestEnvelope({ payload: { wp_id: wp, previous_status: 'planned', new_status: 'doing', changed_by: 'x', feature_slug: feature } }));
    board.push(slice.wp!);
  }
  const project = toBoardProject(slice.project!, [], board);
  t.deepEqual(project.features.map((f) => [f.feature_slug, f.wps.map((w) => w.wp_id)]), [['a', ['WP01']], ['b', ['WP01', 'WP02']]]);
  t.is(project.event_count, 3);
});

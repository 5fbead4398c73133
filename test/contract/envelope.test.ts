import test from 'ava';
import { assertEnvelope, ContractError, ENVELOPE_KEYS, envelopeViolations } from '../../contract/index.js';
import { envelope, ULID_A } from './fixtures.js';

test('a well-formed envelope has no violations', (t) => {
  t.deepEqual(envelopeViolations(envelope()), []);
  t.notThrows(() => assertEnvelope(envelope()));
});

test('null identity and causation are allowed, and so are an uppercase UUID and a non-WP event type', (t) => {
  t.deepEqual(envelopeViolations(envelope({ project_uuid: null, project_slug: null, causation_id: ULID_A })), []);
  t.deepEqual(envelopeViolations(envelope({ project_uuid: '6F1C2A3B-4D5E-4F60-8A7B-9C0D1E2F3A4B' })), []);
  t.deepEqual(envelopeViolations(envelope({ event_type: 'FeatureCreated', payload: { anything: [1] } })), []);
  t.deepEqual(envelopeViolations(envelope({ timestamp: '2024-05-01T10:00:00Z' })), []);
});

const badFields: Array<[string, unknown, string]> = [
  ['event_id', 'x', 'event_id must be a 26-char ULID'],
  ['event_id', ULID_A.toLowerCase(), 'event_id must be a 26-char ULID'],
  ['event_type', '', 'event_type must be a non-empty string'],
  ['aggregate_id', 7, 'aggregate_id must be a non-empty string'],
  ['aggregate_type', '', 'aggregate_type must be a non-empty string'],
  ['payload', [], 'payload must be an object'],
  ['payload', null, 'payload must be an object'],
  ['timestamp', 'yesterday', 'timestamp must be ISO-8601 UTC (…Z)'],
  ['timestamp', '2024-05-01T10:00:00+00:00', 'timestamp must be ISO-8601 UTC (…Z)'],
  ['timestamp', '2024-13-01T10:00:00Z', 'timestamp must be ISO-8601 UTC (…Z)'],
  ['node_id', 'ABCDEF012345', 'node_id must be 12 lowercase hex chars'],
  ['node_id', '0123456789a', 'node_id must be 12 lowercase hex chars'],
  ['lamport_clock', 0, 'lamport_clock must be an integer ≥ 1'],
  ['lamport_clock', 1.5, 'lamport_clock must be an integer ≥ 1'],
  ['lamport_clock', '3', 'lamport_clock must be an integer ≥ 1'],
  ['lamport_clock', Number.MAX_SAFE_INTEGER + 1, 'lamport_clock must be an integer ≥ 1'],
  ['causation_id', 'abc', 'causation_id must be a ULID or null'],
  ['correlation_id', null, 'correlation_id must be a ULID'],
  ['team_slug', '', 'team_slug must be a non-empty string'],
  ['project_uuid', '123', 'project_uuid must be a UUID or null'],
  ['project_slug', '', 'project_slug must be a non-empty string or null'],
];
for (const [field, value, message] of badFields) {
  test(`${field} = ${JSON.stringify(value)} is reported with its path`, (t) => {
    t.deepEqual(envelopeViolations(envelope({ [field]: value })), [message]);
  });
}

test('a missing key is reported as that field', (t) => {
  for (const key of ENVELOPE_KEYS) {
    const e: Record<string, unknown> = envelope();
    delete e[key];
    const v = envelopeViolations(e);
    t.is(v.length, 1, key);
    t.true(v[0].startsWith(`${key} must `), v[0]);
  }
});

test('every violated field is listed at once, in wire order, unknown keys after the fields', (t) => {
  const bad = envelope({ extra: true, event_id: 'x', node_id: 'ABC', lamport_clock: 0, timestamp: 'yesterday', team_slug: '' });
  const err = t.throws(() => assertEnvelope(bad), { instanceOf: ContractError })!;
  t.deepEqual(err.violations, [
    'event_id must be a 26-char ULID',
    'timestamp must be ISO-8601 UTC (…Z)',
    'node_id must be 12 lowercase hex chars',
    'lamport_clock must be an integer ≥ 1',
    'team_slug must be a non-empty string',
    'unknown key "extra"',
  ]);
  t.is(err.message, `event violates the envelope contract: ${err.violations.join('; ')}`);
  t.is(err.name, 'ContractError');
});

test('WPStatusChanged payloads are checked against the lane contract; extra payload keys are allowed', (t) => {
  const e = envelope({ payload: { wp_id: 'W1', previous_status: 'planned', new_status: 'shipped', feature_slug: 'f', note: 'x' } });
  t.deepEqual(envelopeViolations(e), [
    'payload.wp_id must match WP\\d{2}',
    'payload.new_status must be one of planned, doing, for_review, done',
    'payload.changed_by must be a non-empty string',
  ]);
  t.deepEqual(envelopeViolations(envelope({ payload: { wp_id: 'WP01', previous_status: 'done', new_status: 'planned', changed_by: 'a', feature_slug: 'f', note: 1 } })), []);
});

test('payload problems come after the envelope\'s own fields and unknown keys', (t) => {
  const e = envelope({ zzz: 1, team_slug: '', payload: { previous_status: 'planned', new_status: 'doing', changed_by: 'a', feature_slug: 'f' } });
  t.deepEqual(envelopeViolations(e), ['team_slug must be a non-empty string', 'unknown key "zzz"', 'payload.wp_id must match WP\\d{2}']);
});

test('a value that is not an object is one violation', (t) => {
  for (const v of [null, undefined, 'event', 42, [envelope()]]) t.deepEqual(envelopeViolations(v), ['envelope must be an object']);
  t.throws(() => assertEnvelope(null), { instanceOf: ContractError, message: 'event violates the envelope contract: envelope must be an object' });
});

import test from 'ava';
import { assertEnvelope, ContractError, envelopeViolations, type Envelope } from '../../contract/index.js';
import { newUlid } from '../../lib/ulid.js';
import { envelope } from '../helpers/envelope.js';

const valid = (): Envelope => envelope({ project_slug: 'demo' });

test('a well-formed envelope has no violations', (t) => {
  t.deepEqual(envelopeViolations(valid()), []);
  t.notThrows(() => assertEnvelope(valid()));
});

test('every violated field is listed at once', (t) => {
  const bad = { ...valid(), event_id: 'x', node_id: 'ABC', lamport_clock: 0, timestamp: 'yesterday', team_slug: '', extra: true };
  const err = t.throws(() => assertEnvelope(bad), { instanceOf: ContractError });
  const fields = err!.violations.map((v) => v.split(' ')[0]);
  t.deepEqual(fields, ['event_id', 'timestamp', 'node_id', 'lamport_clock', 'team_slug', 'unknown']);
});

test('WPStatusChanged payloads are checked against the lane contract', (t) => {
  const e = valid();
  e.payload = { wp_id: 'W1', previous_status: 'planned', new_status: 'shipped', feature_slug: 'f' };
  t.deepEqual(envelopeViolations(e).map((v) => v.split(' ')[0]), ['payload.wp_id', 'payload.new_status', 'payload.changed_by']);
});

test('null project identity and causation are allowed; malformed ones are not', (t) => {
  t.deepEqual(envelopeViolations({ ...valid(), project_uuid: null, project_slug: null }), []);
  t.deepEqual(envelopeViolations({ ...valid(), causation_id: newUlid() }), []);
  t.is(envelopeViolations({ ...valid(), project_uuid: '123', causation_id: 'abc' }).length, 2);
  t.deepEqual(envelopeViolations(null), ['envelope must be an object']);
});

import test from 'ava';
import { Ajv } from 'ajv';
import { EnvelopeSchema, IngestEnvelopeSchema } from '../../contract/envelope.js';
import { describeViolations } from '../../contract/violations.js';
import { AJV_OPTIONS } from '../../scripts/compile-schemas.js';
import { envelope } from './fixtures.js';

// The hub compiles these schemas at run time (fastify); so does this test.
const ajv = new Ajv({ ...AJV_OPTIONS, code: {} });
const ingest = ajv.compile(IngestEnvelopeSchema);
const strict = ajv.compile(EnvelopeSchema);

/** What a spec-kitty 2.x client sends (DESIGN §6). */
function twoX(): Record<string, unknown> {
  const e: Record<string, unknown> = { ...envelope(), timestamp: '2024-05-01T10:00:00.123456+00:00', type: 'event', spec_kitty_delivery_identity: 'abc' };
  delete e.correlation_id;
  e.payload = { ...(e.payload as object), extra_payload_key: true };
  return e;
}

test('a 2.x envelope is accepted on ingest and refused by the strict envelope', (t) => {
  t.true(ingest(twoX()), JSON.stringify(ingest.errors));
  t.false(strict(twoX()));
  t.deepEqual(describeViolations(strict.errors, { root: 'envelope', order: ['timestamp', 'correlation_id', '(unknown)'] }), [
    'timestamp must be ISO-8601 UTC (…Z)',
    'correlation_id must be a ULID',
    'unknown key "type"',
    'unknown key "spec_kitty_delivery_identity"',
  ]);
});

test('ingest stores unknown event types but still checks known payloads and every field rule', (t) => {
  t.true(ingest({ ...twoX(), event_type: 'SomethingNew', payload: {} }));
  t.false(ingest({ ...twoX(), payload: { wp_id: 'WP1' } }));
  t.false(ingest({ ...twoX(), correlation_id: 'not-a-ulid' }));
  t.false(ingest({ ...twoX(), timestamp: '2024-05-01T10:00:00+02:00' }));
  t.false(ingest({ ...twoX(), lamport_clock: 0 }));
  t.true(ingest(envelope()), 'our own envelopes are accepted too');
});

import test from 'ava';
import { Ajv } from 'ajv';
import { BatchRequestSchema, ClientBatchRequestSchema } from '../../contract/sync.js';
import {
  validateBadRequestBody, validateBatchResponse, validateHealthResponse, validateTokenResponse,
  validateTooLargeBody, validateWsServerMessage, validateWsTokenResponse,
} from '../../contract/sync.check.js';
import { CLIENT_MAX_BATCH_BYTES, MAX_DECOMPRESSED_BYTES_PER_BATCH, MAX_EVENT_BYTES, MAX_EVENTS_PER_BATCH } from '../../contract/limits.js';
import { describeViolations } from '../../contract/violations.js';
import { AJV_OPTIONS } from '../../scripts/compile-schemas.js';
import { envelope } from './fixtures.js';

const ajv = new Ajv({ ...AJV_OPTIONS, code: {} });

test('the limits are the ones of DESIGN §6', (t) => {
  t.is(MAX_EVENTS_PER_BATCH, 1000);
  t.is(MAX_DECOMPRESSED_BYTES_PER_BATCH, 1_048_576);
  t.is(MAX_EVENT_BYTES, 65_536);
  t.is(CLIENT_MAX_BATCH_BYTES, 524_288);
});

test('a batch holds at most 1000 events, on ingest and from our client', (t) => {
  for (const schema of [BatchRequestSchema, ClientBatchRequestSchema]) {
    const check = ajv.compile(schema);
    t.true(check({ events: Array.from({ length: 1000 }, () => envelope()) }));
    t.false(check({ events: Array.from({ length: 1001 }, () => envelope()) }));
    t.deepEqual(describeViolations(check.errors, { root: 'batch' }), ['events must be an array of at most 1000 items']);
  }
});

test('a batch response has one result per event with a known status', (t) => {
  t.true(validateBatchResponse({ results: [
    { event_id: 'a', status: 'success' }, { event_id: 'b', status: 'duplicate' }, { event_id: 'c', status: 'rejected', error_message: 'bad' },
  ] }));
  t.false(validateBatchResponse({ results: [{ event_id: 'a', status: 'accepted' }] }));
  t.deepEqual(describeViolations(validateBatchResponse.errors, { root: 'response' }),
    ['results[0].status must be one of "success", "duplicate", "rejected"']);
  t.false(validateBatchResponse({ results: [{ status: 'success' }] }));
  t.false(validateBatchResponse({}));
});

test('error bodies: 400 with optional details, 413 with limits', (t) => {
  t.true(validateBadRequestBody({ error: 'bad batch' }));
  t.true(validateBadRequestBody({ error: 'bad batch', details: [{ event_id: 'a', error: 'x' }] }));
  t.false(validateBadRequestBody({ error: 'bad batch', details: [{ event_id: 'a' }] }));
  t.true(validateTooLargeBody({ limits: { max_events_per_batch: 1000, max_decompressed_bytes_per_batch: 1048576 } }));
  t.false(validateTooLargeBody({ limits: { max_events_per_batch: -1, max_decompressed_bytes_per_batch: 1 } }));
  t.false(validateTooLargeBody({}));
});

test('token, health and ws-token responses', (t) => {
  t.true(validateTokenResponse({ access: 'a', refresh: 'r', access_lifetime: 300, refresh_lifetime: 86400, team_slug: 'acme' }));
  t.false(validateTokenResponse({ access: 'a', refresh: 'r', access_lifetime: 300, team_slug: 'acme' }));
  t.true(validateHealthResponse({ status: 'ok', sync_ingress: { limits: { max_events_per_batch: 1000, max_decompressed_bytes_per_batch: 1048576 } } }));
  t.false(validateHealthResponse({ status: 'down', sync_ingress: { limits: { max_events_per_batch: 1000, max_decompressed_bytes_per_batch: 1 } } }));
  t.true(validateWsTokenResponse({ ws_token: 't', expires_in: 60 }));
  t.false(validateWsTokenResponse({ ws_token: '', expires_in: 60 }));
});

test('WebSocket messages from the hub', (t) => {
  t.true(validateWsServerMessage({ type: 'snapshot', work_packages: [], projects: [] }));
  t.true(validateWsServerMessage({ type: 'ack', event_id: 'a', status: 'duplicate' }));
  t.true(validateWsServerMessage({ type: 'ping', timestamp: '2024-05-01T10:00:00Z' }));
  t.true(validateWsServerMessage({ type: 'pong' }));
  t.true(validateWsServerMessage({ type: 'event', ...envelope() }));
  t.false(validateWsServerMessage({ type: 'ack', event_id: 'a', status: 'maybe' }));
  t.false(validateWsServerMessage({ type: 'event', ...envelope(), lamport_clock: 0 }));
  t.false(validateWsServerMessage({ type: 'gossip' }));
});

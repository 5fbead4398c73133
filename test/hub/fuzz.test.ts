// Property-based fuzz of the hub's HTTP surface (issue 12, Tests): envelopes, request bodies,
// content types and encodings, query strings and Authorization headers, against a real hub on
// 127.0.0.1. Bad input must get a 4xx with a JSON reason, never a 5xx, and never bring the hub down.
// Every property is bounded in runs and in time, and every request has a deadline.
import test from 'ava';
import fc from 'fast-check';
import { Agent, request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { envelope } from '../helpers/envelope.js';
import { startHub, type TestHub } from './hub-fixture.js';

const PROJECT = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const BATCH = '/api/v1/events/batch/';
const REQUEST_DEADLINE_MS = 10_000;
/** Per property: at most this many runs, and at most this long (then it stops, passing on what ran). */
const budget = (numRuns: number, ms: number) => ({ numRuns, interruptAfterTimeLimit: ms, timeout: REQUEST_DEADLINE_MS });

let h: TestHub;
let ada: { access: string; refresh: string };
let bob: { access: string; refresh: string };
const agent = new Agent({ keepAlive: true, maxSockets: 4 });

test.before(async () => {
  h = await startHub();
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(h.url)) throw new Error(`the fuzz targets 127.0.0.1 only, not ${h.url}`);
  // Log in before any fuzz of /token/: its failures are rate-limited per address.
  ada = await h.login('ada');
  bob = await h.login('bob');
});

test.after.always(async () => {
  agent.destroy();
  await h?.hub.close();
});

interface Answer {
  status: number;
  text: string;
  json: unknown;
}

/** One raw request to the hub (node:http: any header value a client can put on the wire, no content type unless given). */
function send(method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<Answer> {
  const url = new URL(h.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: url.port, method, path, headers, agent, timeout: REQUEST_DEADLINE_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode ?? 0, text, json });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in ${REQUEST_DEADLINE_MS} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

const describeAnswer = (a: Answer) => `${a.status} ${a.text.slice(0, 300)}`;

/** Never a 5xx; a 4xx carries a JSON object with an `error` key. */
function checkAnswer(a: Answer, what: string): void {
  if (a.status >= 500 || a.status < 100) throw new Error(`${what}: ${describeAnswer(a)}`);
  if (a.status >= 400) {
    const ok = typeof a.json === 'object' && a.json !== null && !Array.isArray(a.json) && typeof (a.json as { error?: unknown }).error === 'string';
    if (!ok) throw new Error(`${what}: a ${a.status} without a JSON {"error": …}: ${a.text.slice(0, 300)}`);
  }
}

/** The hub logged no 5xx and no failure of its own (every 5xx is logged as `error: …`). */
function serverErrors(): string[] {
  return h.log.filter((line) => line.startsWith('error:') || / 5\d\d [\d.]+ms$/.test(line));
}

async function healthy(): Promise<boolean> {
  const r = await send('GET', '/api/v1/sync/health/', {});
  return r.status === 200 && (r.json as { status?: string } | undefined)?.status === 'ok';
}

// Arbitraries --------------------------------------------------------------------------------

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const HEX = '0123456789abcdef';
const chars = (alphabet: string, length: number) =>
  fc.array(fc.constantFrom(...alphabet), { minLength: length, maxLength: length }).map((a) => a.join(''));
const ulid = chars(CROCKFORD, 26);
const nodeId = chars(HEX, 12);
const uuid = fc.uuid();
/** Printable ASCII (and tab): what may go in a header value over node:http without being refused client-side. */
const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 80 });
const headerText = fc.oneof(printable, fc.string({ unit: fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 20 }));
const LANES = ['planned', 'doing', 'for_review', 'done'];
const lane = fc.constantFrom(...LANES);
const wpId = fc.integer({ min: 0, max: 99 }).map((n) => `WP${String(n).padStart(2, '0')}`);
const timestamp = fc.tuple(
  fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }),
  fc.constantFrom('ms', 'micro', 'offset', 'whole'),
).map(([d, style]) => {
  const iso = d.toISOString();
  if (style === 'micro') return iso.replace(/\.(\d{3})Z$/, '.$1456+00:00');
  if (style === 'offset') return iso.replace('Z', '+00:00');
  if (style === 'whole') return iso.replace(/\.\d{3}Z$/, 'Z');
  return iso;
});
const teamOk = fc.constantFrom('acme', 'local');

/** An envelope the contract accepts, in the caller's team (acme) or "local": it must be stored or be a duplicate. */
const validEnvelope = fc.record({
  event_id: ulid,
  node_id: nodeId,
  lamport_clock: fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.constant(Number.MAX_SAFE_INTEGER)),
  timestamp,
  team_slug: teamOk,
  project_uuid: fc.oneof(fc.constant(PROJECT), uuid, uuid.map((u) => u.toUpperCase()), fc.constant(null)),
  project_slug: fc.oneof(fc.constant('shop'), fc.string({ minLength: 1, maxLength: 30 }), fc.constant(null)),
  causation_id: fc.option(ulid, { nil: null }),
  correlation: fc.option(ulid, { nil: undefined }),
  extra: fc.dictionary(fc.string({ maxLength: 12 }).filter((k) => !['event_id', 'event_type', 'aggregate_id', 'aggregate_type', 'payload', 'timestamp', 'node_id', 'lamport_clock', 'causation_id', 'correlation_id', 'team_slug', 'project_uuid', 'project_slug'].includes(k)), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  kind: fc.oneof(
    fc.record({ wp: wpId, from: lane, to: lane, by: fc.string({ minLength: 1, maxLength: 20 }), feature: fc.string({ minLength: 1, maxLength: 20 }), more: fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }) })
      .map(({ wp, from, to, by, feature, more }) => ({
        event_type: 'WPStatusChanged', aggregate_type: 'WorkPackage', aggregate_id: wp,
        payload: { ...more, wp_id: wp, previous_status: from, new_status: to, changed_by: by, feature_slug: feature },
      })),
    fc.record({ feature: fc.string({ minLength: 1, maxLength: 20 }), number: fc.string({ maxLength: 4 }), wps: fc.integer({ min: 0, max: 50 }) })
      .map(({ feature, number, wps }) => ({
        event_type: 'FeatureCreated', aggregate_type: 'Feature', aggregate_id: feature,
        payload: { feature_slug: feature, feature_number: number, target_branch: 'main', wp_count: wps },
      })),
    fc.record({ type: fc.string({ minLength: 1, maxLength: 30 }), aggregate: fc.string({ minLength: 1, maxLength: 30 }), payload: fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }) })
      .map(({ type, aggregate, payload }) => ({ event_type: type, aggregate_type: 'Thing', aggregate_id: aggregate, payload })),
  ),
}).map(({ kind, correlation, extra, ...rest }) => {
  // Extra keys first: the contract's own keys always win.
  const e: Record<string, unknown> = { ...extra, ...rest, ...kind };
  if (correlation !== undefined) e.correlation_id = correlation;
  return e;
});

const ENVELOPE_KEYS = ['event_id', 'event_type', 'aggregate_id', 'aggregate_type', 'payload', 'timestamp', 'node_id', 'lamport_clock', 'causation_id', 'correlation_id', 'team_slug', 'project_uuid', 'project_slug'];
/** Odd values that have broken JSON handlers before: huge numbers, prototype keys, lone surrogates, deep nesting. */
const oddValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(
    -1, 0, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, '', ' ', '\u0000', '\ud800', 'WP1', 'WP100', '2026-02-31T10:00:00Z', '9999-12-31T23:59:59.999999999+00:00',
    '0000-01-01T00:00:00Z', 'DROP TABLE events', [], {}, { __proto__: null }, JSON.parse('{"__proto__": {"polluted": true}}') as unknown,
    { constructor: { prototype: { x: 1 } } }, 'évènement', 'x'.repeat(70 * 1024),
  ),
);

/** A valid envelope with one thing wrong (or odd): a key removed, replaced, or added; the payload's too. */
const mutatedEnvelope = fc.tuple(validEnvelope, fc.constantFrom(...ENVELOPE_KEYS, 'payload.wp_id', 'payload.new_status', 'payload.previous_status', '__proto__', 'team_slug'), fc.constantFrom('delete', 'replace'), oddValue)
  .map(([e, key, how, value]) => {
    const copy: Record<string, unknown> = JSON.parse(JSON.stringify(e));
    if (key.startsWith('payload.')) {
      const payload = (copy.payload ?? {}) as Record<string, unknown>;
      const field = key.slice('payload.'.length);
      if (how === 'delete') delete payload[field];
      else payload[field] = value;
    } else if (key === '__proto__') {
      Object.defineProperty(copy, '__proto__', { value, enumerable: true, configurable: true, writable: true });
    } else if (how === 'delete') {
      delete copy[key];
    } else {
      copy[key] = value;
    }
    return copy;
  });

type Item = { kind: 'valid' | 'mutated' | 'random'; value: unknown };
const item: fc.Arbitrary<Item> = fc.oneof(
  { weight: 3, arbitrary: validEnvelope.map((value) => ({ kind: 'valid' as const, value })) },
  { weight: 3, arbitrary: mutatedEnvelope.map((value) => ({ kind: 'mutated' as const, value })) },
  { weight: 1, arbitrary: fc.oneof(fc.jsonValue({ maxDepth: 3 }), oddValue).map((value) => ({ kind: 'random' as const, value })) },
);
/** Sometimes an item is sent twice in one batch: the second copy must answer "duplicate". */
const items = fc.array(fc.tuple(item, fc.boolean()), { maxLength: 25 }).map((pairs) => {
  const out: Item[] = [];
  for (const [it, twice] of pairs) {
    out.push(it);
    if (twice) out.push(it);
  }
  return out;
});

const idOf = (value: unknown): string | undefined => {
  const id = (value as { event_id?: unknown } | null)?.event_id;
  return typeof id === 'string' ? id : undefined;
};

// Properties ---------------------------------------------------------------------------------

test('fuzz: any batch of envelopes (valid, mutated, random), plain or gzip: never a 5xx, one result per item in order, valid ones stored', async (t) => {
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(items, fc.boolean(), fc.option(fc.jsonValue({ maxDepth: 1 }), { nil: undefined }), async (batch, gzip, extraTop) => {
      runs += 1;
      const body: Record<string, unknown> = { events: batch.map((b) => b.value) };
      if (extraTop !== undefined) body.other = extraTop;
      const json = Buffer.from(JSON.stringify(body));
      const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${ada.access}` };
      if (gzip) headers['content-encoding'] = 'gzip';
      const a = await send('POST', BATCH, headers, gzip ? gzipSync(json) : json);
      checkAnswer(a, 'batch');
      if (json.length > 1024 * 1024) {
        if (a.status !== 413) throw new Error(`a ${json.length}-byte batch: ${describeAnswer(a)}`);
        return;
      }
      if (a.status !== 200) throw new Error(`a well-formed batch of ${batch.length} items: ${describeAnswer(a)}`);
      const results = (a.json as { results?: Array<{ event_id: unknown; status: unknown; error_message?: unknown }> }).results;
      if (!Array.isArray(results) || results.length !== batch.length) throw new Error(`${batch.length} items, ${Array.isArray(results) ? results.length : 'no'} results`);
      const seen = new Set<string>();
      batch.forEach((b, i) => {
        const r = results[i];
        if (!['success', 'duplicate', 'rejected'].includes(r.status as string)) throw new Error(`item ${i}: status ${JSON.stringify(r.status)}`);
        if (typeof r.event_id !== 'string') throw new Error(`item ${i}: event_id ${JSON.stringify(r.event_id)}`);
        const id = idOf(b.value);
        if (id !== undefined && r.event_id !== id) throw new Error(`item ${i}: result for ${r.event_id}, sent ${id} (out of order)`);
        if (r.status === 'rejected' && typeof r.error_message !== 'string') throw new Error(`item ${i}: rejected without a reason`);
        if (b.kind === 'valid') {
          const size = Buffer.byteLength(JSON.stringify(b.value));
          if (size <= 64 * 1024 && r.status === 'rejected') throw new Error(`item ${i}: a valid envelope was rejected: ${String(r.error_message)}\n${JSON.stringify(b.value)}`);
          if (id !== undefined && seen.has(id) && r.status !== 'duplicate') throw new Error(`item ${i}: the second copy of ${id} answered ${String(r.status)}`);
        }
        if (id !== undefined && r.status !== 'rejected') seen.add(id);
      });
    }),
    budget(400, 20_000),
  );
  t.true(await healthy(), 'the hub still answers health');
  t.deepEqual(serverErrors(), []);
  t.log(`${runs} batches`);
});

const CONTENT_TYPES = [
  'application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/json; charset=utf-16', 'application/json;;',
  'application/jsonx', 'application/ld+json', 'text/plain', 'text/json', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x',
  'application/octet-stream', '', ';', '*/*',
];
const ENCODINGS = ['gzip', 'x-gzip', 'GZIP', ' gzip ', 'identity', '', 'br', 'deflate', 'gzip, gzip', 'gzip, identity', 'compress', '*'];

const validJson = fc.oneof(
  fc.record({ events: fc.array(validEnvelope, { maxLength: 3 }) }),
  fc.record({ username: fc.constantFrom('ada', 'nobody', ''), password: fc.string({ maxLength: 20 }) }),
  fc.record({ refresh: fc.string({ maxLength: 60 }) }),
).map((v) => Buffer.from(JSON.stringify(v)));

/** What goes on the wire: random bytes, random JSON, gzip of either, gzip cut short, or nothing. */
const wireBody = fc.oneof(
  fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b)),
  fc.jsonValue({ maxDepth: 3 }).map((v) => Buffer.from(JSON.stringify(v) ?? '')),
  fc.string({ maxLength: 200 }).map((s) => Buffer.from(s)),
  validJson,
  fc.oneof(validJson, fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b))).map((b) => gzipSync(b)),
  fc.tuple(validJson, fc.integer({ min: 0, max: 1000 })).map(([b, cut]) => { const z = gzipSync(b); return z.subarray(0, Math.min(cut, Math.max(0, z.length - 1))); }),
  fc.tuple(validJson, fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 255 })).map(([b, at, byte]) => { const z = Buffer.from(gzipSync(b)); z[at % z.length] = byte; return z; }),
  fc.constant(Buffer.alloc(0)),
  fc.constant(undefined),
);

const ENDPOINTS = ['/api/v1/events/batch/', '/api/v1/token/', '/api/v1/token/refresh/', '/api/v1/logout/'] as const;

test('fuzz: any body, content type and encoding on batch, token, refresh and logout: never a 5xx, a 4xx has a JSON error', async (t) => {
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...ENDPOINTS),
      wireBody,
      fc.option(fc.oneof(fc.constantFrom(...CONTENT_TYPES), headerText), { nil: undefined }),
      fc.option(fc.oneof(fc.constantFrom(...ENCODINGS), headerText), { nil: undefined }),
      fc.constantFrom('ada', 'bob', 'none', 'junk'),
      async (path, body, contentType, encoding, who) => {
        runs += 1;
        const headers: Record<string, string> = {};
        if (contentType !== undefined) headers['content-type'] = contentType;
        if (encoding !== undefined) headers['content-encoding'] = encoding;
        // Logout is sent with bob's token only: ada's must outlive the fuzz (the batch runs under it).
        const token = who === 'ada' && path !== '/api/v1/logout/' ? ada.access : who === 'bob' ? bob.access : who === 'junk' ? 'x'.repeat(43) : undefined;
        if (token) headers.authorization = `Bearer ${token}`;
        checkAnswer(await send('POST', path, headers, body), `POST ${path} content-type ${JSON.stringify(contentType)} encoding ${JSON.stringify(encoding)}`);
      },
    ),
    budget(1000, 20_000),
  );
  t.true(await healthy(), 'the hub still answers health');
  t.deepEqual(serverErrors(), []);
  t.log(`${runs} requests`);
});

/** Query strings as a client or an attacker might write them: known keys with odd values, unknown keys, broken escapes. */
const queryValue = fc.oneof(
  fc.integer({ min: -10, max: 1000 }).map(String),
  fc.constantFrom('', '0', '-0', '1e3', '1e308', '1e309', 'NaN', 'Infinity', '-Infinity', '0x10', '1.5', '9007199254740993', '99999999999999999999999', ' 5', '5 ', 'null', 'true', '[]', '%', '%zz', '%00', '%FF', '%E2%82', 'a%20b'),
  printable.map(encodeURIComponent),
);
const queryString = fc.oneof(
  fc.array(fc.tuple(fc.constantFrom('limit', 'before', 'after', 'limit[]', 'before[0]', '__proto__', 'constructor', ''), queryValue), { maxLength: 5 })
    .map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join('&')),
  printable.map((s) => s.replace(/[#\s]/g, '')),
  fc.constantFrom('', '&', '&&', '=', 'limit', 'limit=', 'limit=5&limit=6', 'before=1&before=2', 'limit=%', '%', '??', 'a=%zz'),
);
const projectSegment = fc.oneof(fc.constant(PROJECT), fc.uuid(), fc.constant(PROJECT.toUpperCase()), printable.filter((s) => s.length > 0).map(encodeURIComponent), fc.constant('x'.repeat(65)));

test('fuzz: any query string on GET /api/v1/projects/{uuid}/events/: never a 5xx', async (t) => {
  // Something to page through, so the query reaches real rows.
  const events = Array.from({ length: 5 }, (_, i) => envelope({ team_slug: 'acme', project_uuid: PROJECT, project_slug: 'shop', lamport_clock: i + 1 }));
  const seeded = await h.call(BATCH, { token: ada.access, body: { events } });
  t.is(seeded.status, 200);
  let runs = 0;
  let ok = 0;
  await fc.assert(
    fc.asyncProperty(projectSegment, queryString, async (project, query) => {
      runs += 1;
      // Spaces and controls cannot go on the request line at all (node:http refuses them client-side): escaped.
      const wire = query.replace(/[\u0000-\u0020\u007f]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
      const path = `/api/v1/projects/${project}/events/${wire === '' ? '' : `?${wire}`}`;
      const a = await send('GET', path, { authorization: `Bearer ${ada.access}` });
      checkAnswer(a, `GET ${path}`);
      if (a.status === 200) {
        ok += 1;
        const r = a.json as { events?: unknown[]; next_before?: unknown };
        if (!Array.isArray(r.events) || r.events.length > 500) throw new Error(`GET ${path}: ${describeAnswer(a)}`);
      }
    }),
    budget(800, 10_000),
  );
  t.true(await healthy(), 'the hub still answers health');
  t.deepEqual(serverErrors(), []);
  t.log(`${runs} queries, ${ok} answered 200`);
});

/** Built after login: near-misses of ada's real tokens are among the headers. */
const authorization = () => fc.oneof(
  fc.tuple(fc.constantFrom('Bearer ', 'bearer ', 'BEARER  ', 'Bearer\t', 'Basic ', 'Token ', 'Bearer', ''), fc.oneof(
    fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('base64url')),
    printable,
    fc.constantFrom('', ' ', 'null', 'undefined', '%00', 'a b', 'x'.repeat(8192), '\u00ff\u00fe', ada.access.slice(0, -1), `${ada.access}x`, `${ada.refresh}`),
  )).map(([scheme, token]) => `${scheme}${token}`),
  headerText,
);
const PROTECTED: Array<{ method: string; path: string; body?: Buffer }> = [
  { method: 'GET', path: '/api/v1/projects/' },
  { method: 'GET', path: `/api/v1/projects/${PROJECT}/events/` },
  { method: 'POST', path: BATCH, body: Buffer.from(JSON.stringify({ events: [] })) },
  { method: 'POST', path: '/api/v1/ws-token/' },
  { method: 'POST', path: '/api/v1/logout/', body: Buffer.from('{}') },
];

test('fuzz: any Authorization header on the protected endpoints: 401 with a JSON error, never a 5xx', async (t) => {
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...PROTECTED), authorization(), async (endpoint, header) => {
      runs += 1;
      const headers: Record<string, string> = { authorization: header };
      if (endpoint.body) headers['content-type'] = 'application/json';
      const a = await send(endpoint.method, endpoint.path, headers, endpoint.body);
      checkAnswer(a, `${endpoint.method} ${endpoint.path} with Authorization ${JSON.stringify(header.slice(0, 80))}`);
      if (a.status !== 401) throw new Error(`${endpoint.method} ${endpoint.path} with Authorization ${JSON.stringify(header.slice(0, 80))}: ${describeAnswer(a)}`);
    }),
    budget(600, 10_000),
  );
  // The refresh token and a near-miss of the access token were among the headers; ada's access still works.
  t.is((await h.call('/api/v1/projects/', { token: ada.access })).status, 200);
  t.true(await healthy(), 'the hub still answers health');
  t.deepEqual(serverErrors(), []);
  t.log(`${runs} headers`);
});

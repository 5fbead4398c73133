import test, { type ExecutionContext } from 'ava';
import { gunzipSync } from 'node:zlib';
import { FetchHubClient } from '../../../services/hub-client/fetch-hub-client.js';
import { isHubFailure } from '../../../core/services.js';
import { HubError } from '../../../services/hub-client/hub-error.js';
import { envelope } from '../../helpers/envelope.js';
import { blackHole, httpServer, refusedUrl, reply, type Seen } from './fault-server.js';

const client = (t: ExecutionContext, options?: ConstructorParameters<typeof FetchHubClient>[0]) => {
  const c = new FetchHubClient(options);
  t.teardown(() => c.close());
  return c;
};

const TOKENS = { access: 'a'.repeat(20), refresh: 'r'.repeat(20), access_lifetime: 900, refresh_lifetime: 604800, team_slug: 'acme' };

test('a black-holed hub (accepts TCP, never answers) fails with timeout within the total timeout', async (t) => {
  const url = await blackHole(t);
  const hub = client(t, { connectTimeoutMs: 200, totalTimeoutMs: 300 });
  const started = Date.now();
  const err = await t.throwsAsync(hub.health(url), { instanceOf: HubError });
  const elapsed = Date.now() - started;
  t.is(err?.kind, 'timeout');
  t.is(err?.status, null);
  t.true(elapsed >= 250, `${elapsed} ms`);
  t.true(elapsed < 1500, `${elapsed} ms`);
});

test('a black hole that reads a batch and never answers times out too', async (t) => {
  const url = await blackHole(t);
  const hub = client(t, { totalTimeoutMs: 300 });
  const err = await t.throwsAsync(hub.sendBatch(url, 'secret-access-token', [envelope()]), { instanceOf: HubError });
  t.is(err?.kind, 'timeout');
  t.notRegex(err?.message ?? '', /secret-access-token/);
});

test('a refused connection is a network error', async (t) => {
  const err = await t.throwsAsync(client(t).token(await refusedUrl(), 'ada', 'the password'), { instanceOf: HubError });
  t.is(err?.kind, 'network');
  t.regex(err?.message ?? '', /ECONNREFUSED/);
  t.notRegex(err?.message ?? '', /the password/);
});

test('an unknown host is a network error', async (t) => {
  const err = await t.throwsAsync(client(t).health('http://no-such-host.invalid'), { instanceOf: HubError });
  t.is(err?.kind, 'network');
});

test('a 503 is a server error', async (t) => {
  const url = await httpServer(t, reply(503, { error: 'unavailable', message: 'down for maintenance' }));
  const err = await t.throwsAsync(client(t).health(url), { instanceOf: HubError });
  t.like(err, { kind: 'server', status: 503, code: 'unavailable' });
  t.regex(err?.message ?? '', /503/);
});

test('a 200 whose body breaks the contract is a protocol error', async (t) => {
  const cases: Array<[string, unknown]> = [
    ['not JSON', '<html>hello</html>'],
    ['an empty token', { ...TOKENS, access: '' }],
    ['no team', { access: 'x', refresh: 'y', access_lifetime: 1, refresh_lifetime: 1 }],
  ];
  for (const [what, body] of cases) {
    const url = await httpServer(t, reply(200, body));
    const err = await t.throwsAsync(client(t).token(url, 'ada', 'pw'), { instanceOf: HubError }, what);
    t.like(err, { kind: 'protocol', status: 200 }, what);
  }
  const health = await httpServer(t, reply(200, { status: 'ok' }));
  t.like(await t.throwsAsync(client(t).health(health)), { kind: 'protocol' });
  const ws = await httpServer(t, reply(200, { ws_token: 'w' }));
  t.like(await t.throwsAsync(client(t).wsToken(ws, 'acc')), { kind: 'protocol' });
});

test('a batch answer missing results is returned as the hub gave it: the caller sends those events again', async (t) => {
  const url = await httpServer(t, reply(200, { results: [] }));
  t.deepEqual(await client(t).sendBatch(url, 'acc', [envelope()]), []);
});

test('an aborted batch is cut at once and fails as network', async (t) => {
  const url = await blackHole(t);
  const controller = new AbortController();
  const started = Date.now();
  setTimeout(() => controller.abort(), 50);
  const err = await t.throwsAsync(client(t).sendBatch(url, 'acc', [envelope()], { signal: controller.signal }), { instanceOf: HubError });
  t.like(err, { kind: 'network', status: null });
  t.true(Date.now() - started < 2_000);
});

test('a 400 with details is bad_request carrying them; without, bad_request alone', async (t) => {
  const details = [{ event_id: '01HX', error: 'payload too deep' }];
  const url = await httpServer(t, reply(400, { error: 'bad_request', message: 'poison', details }));
  const err = await t.throwsAsync(client(t).sendBatch(url, 'acc', [envelope()]), { instanceOf: HubError });
  t.like(err, { kind: 'bad_request', status: 400, code: 'bad_request' });
  t.deepEqual(err?.details, details);
  const bare = await httpServer(t, reply(415, { error: 'bad_encoding', message: 'no' }));
  const other = await t.throwsAsync(client(t).sendBatch(bare, 'acc', [envelope()]), { instanceOf: HubError });
  t.like(other, { kind: 'bad_request', status: 415, code: 'bad_encoding' });
  t.is(other?.details, undefined);
});

test('401, 403, 413 and 429 are classified; Retry-After is read as seconds or as a date', async (t) => {
  const cases: Array<[number, unknown, Record<string, string>, object]> = [
    [401, { error: 'invalid_token' }, {}, { kind: 'unauthorized', code: 'invalid_token' }],
    [403, { error: 'forbidden' }, {}, { kind: 'forbidden' }],
    [413, { error: 'too_large', limits: { max_events_per_batch: 10, max_decompressed_bytes_per_batch: 100 } }, {},
      { kind: 'too_large', limits: { max_events_per_batch: 10, max_decompressed_bytes_per_batch: 100 } }],
    [429, { error: 'rate_limited' }, { 'retry-after': '7' }, { kind: 'rate_limited', retryAfterSeconds: 7 }],
    [429, { error: 'rate_limited' }, { 'retry-after': new Date(Date.now() + 30_000).toUTCString() }, { kind: 'rate_limited' }],
  ];
  for (const [status, body, headers, expected] of cases) {
    const url = await httpServer(t, reply(status, body, headers));
    const err = await t.throwsAsync(client(t).sendBatch(url, 'acc', [envelope()]), { instanceOf: HubError });
    t.like(err, { status, ...expected }, String(status));
    t.true(isHubFailure(err));
  }
  const dated = await httpServer(t, reply(429, {}, { 'retry-after': new Date(Date.now() + 30_000).toUTCString() }));
  const err = await t.throwsAsync(client(t).token(dated, 'u', 'p'), { instanceOf: HubError });
  t.true((err?.retryAfterSeconds ?? 0) >= 28 && (err?.retryAfterSeconds ?? 0) <= 31, String(err?.retryAfterSeconds));
});

test('a redirect is not followed: protocol error', async (t) => {
  const url = await httpServer(t, reply(302, {}, { location: 'http://127.0.0.1:1/' }));
  t.like(await t.throwsAsync(client(t).health(url)), { kind: 'protocol', status: 302 });
});

test('no token or password reaches a message, even when the server echoes them', async (t) => {
  const echo = await httpServer(t, (res, req) => reply(401, { error: 'invalid', message: `${req.headers.authorization} ${req.body.toString()}` })(res));
  const hub = client(t);
  const errors = [
    await t.throwsAsync(hub.token(echo, 'ada', 'hunter2-secret')),
    await t.throwsAsync(hub.refresh(echo, 'refresh-secret-1')),
    await t.throwsAsync(hub.logout(echo, 'access-secret-2', 'refresh-secret-3')),
    await t.throwsAsync(hub.wsToken(echo, 'access-secret-4')),
    await t.throwsAsync(hub.sendBatch(echo, 'access-secret-5', [], { gzip: false })),
  ];
  for (const err of errors) {
    t.like(err, { kind: 'unauthorized' });
    t.notRegex(err?.message ?? '', /secret/, err?.message);
    t.regex(err?.message ?? '', /\[redacted\]/);
  }
});

test('what goes on the wire: paths, bearer, gzip or plain JSON, no body for ws-token', async (t) => {
  const seen: Seen[] = [];
  const url = await httpServer(t, (res, req) => {
    if (req.url.endsWith('/events/batch/')) return reply(200, { results: [{ event_id: 'x', status: 'success' }] })(res);
    if (req.url.endsWith('/ws-token/')) return reply(200, { ws_token: 'w', expires_in: 60 })(res);
    return reply(200, { status: 'logged_out' })(res);
  }, seen);
  const hub = client(t);
  const e = envelope();
  await hub.sendBatch(`${url}/base/`, 'acc', [e]);
  await hub.sendBatch(url, 'acc', [e], { gzip: false });
  await hub.wsToken(url, 'acc');
  await hub.logout(url, 'acc', 'ref');
  await hub.logout(url, 'acc');
  t.deepEqual(seen.map((s) => `${s.method} ${s.url}`), [
    'POST /base/api/v1/events/batch/', 'POST /api/v1/events/batch/', 'POST /api/v1/ws-token/', 'POST /api/v1/logout/', 'POST /api/v1/logout/',
  ]);
  t.is(seen[0]!.headers['content-encoding'], 'gzip');
  t.deepEqual(JSON.parse(gunzipSync(seen[0]!.body).toString()), { events: [e] });
  t.is(seen[1]!.headers['content-encoding'], undefined);
  t.deepEqual(JSON.parse(seen[1]!.body.toString()), { events: [e] });
  t.true(seen.every((s) => s.headers.authorization === 'Bearer acc'));
  t.is(seen[2]!.body.length, 0);
  t.deepEqual(JSON.parse(seen[3]!.body.toString()), { refresh: 'ref' });
  t.is(seen[4]!.body.length, 0);
});

test('a hub URL that is not http(s) is refused before any request', async (t) => {
  await t.throwsAsync(client(t).health('ftp://hub.example'), { instanceOf: TypeError });
  await t.throwsAsync(client(t).health('not a url'), { instanceOf: TypeError });
  t.throws(() => new FetchHubClient({ totalTimeoutMs: 0 }), { instanceOf: RangeError });
});

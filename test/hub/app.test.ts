import test from 'ava';
import { gzipSync } from 'node:zlib';
import { validateBatchResponse, validateHealthResponse, validateTokenResponse, validateWsTokenResponse } from '../../contract/sync.check.js';
import { envelope } from '../helpers/envelope.js';
import { PASSWORD, startHub, type TestHub } from './hub-fixture.js';

const hubs: TestHub[] = [];
const hub = async (options?: Parameters<typeof startHub>[0]) => {
  const h = await startHub(options);
  hubs.push(h);
  return h;
};
test.after.always(async () => { await Promise.all(hubs.map((h) => h.hub.close())); });

const PROJECT = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const move = (wp: string, from: string, to: string, lamport: number, team = 'acme') => envelope({
  event_type: 'WPStatusChanged', aggregate_id: wp, aggregate_type: 'WorkPackage', lamport_clock: lamport, team_slug: team,
  project_uuid: PROJECT, project_slug: 'shop',
  payload: { wp_id: wp, previous_status: from, new_status: to, changed_by: 'ada', feature_slug: '001-cart' },
});

test('health reports the ingest limits', async (t) => {
  const h = await hub();
  const r = await h.call('/api/v1/sync/health/');
  t.is(r.status, 200);
  t.true(validateHealthResponse(r.body));
  t.deepEqual(r.body.sync_ingress.limits, { max_events_per_batch: 1000, max_decompressed_bytes_per_batch: 1048576 });
});

test('login gives a token pair with the team; a wrong password is 401; refresh rotates, and reuse is refused', async (t) => {
  const h = await hub();
  const tokens = await h.login('ada');
  t.true(validateTokenResponse(tokens));
  t.like(tokens, { team_slug: 'acme', access_lifetime: 900, refresh_lifetime: 604800 });
  t.like(await h.call('/api/v1/token/', { body: { username: 'ada', password: 'wrong password' } }), { status: 401, body: { error: 'invalid_credentials' } });
  t.like(await h.call('/api/v1/token/', { body: { username: 'nobody', password: 'wrong password' } }), { status: 401, body: { error: 'invalid_credentials' } });
  const rotated = await h.call('/api/v1/token/refresh/', { body: { refresh: tokens.refresh } });
  t.is(rotated.status, 200);
  t.not(rotated.body.refresh, tokens.refresh);
  const reused = await h.call('/api/v1/token/refresh/', { body: { refresh: tokens.refresh } });
  t.like(reused, { status: 401, body: { error: 'token_reused' } });
  // Reuse revoked the whole family: the rotated pair is dead too.
  t.is((await h.call('/api/v1/token/refresh/', { body: { refresh: rotated.body.refresh } })).status, 401);
});

test('failed logins are rate-limited per user: 429 with Retry-After', async (t) => {
  const h = await hub();
  for (let i = 0; i < 5; i++) t.is((await h.call('/api/v1/token/', { body: { username: 'bob', password: `guess ${i}` } })).status, 401);
  const limited = await h.call('/api/v1/token/', { body: { username: 'bob', password: PASSWORD } });
  t.is(limited.status, 429);
  t.regex(limited.headers.get('retry-after') ?? '', /^\d+$/);
  t.is(limited.body.error, 'rate_limited');
});

test('a batch, plain or gzip, gets one result per event: success, then duplicate; "local" is taken into the caller\'s team', async (t) => {
  const h = await hub();
  const { access } = await h.login('ada');
  const events = [move('WP01', 'planned', 'doing', 1), { ...move('WP02', 'planned', 'doing', 2), team_slug: 'local' }];
  const first = await h.call('/api/v1/events/batch/', { token: access, body: { events } });
  t.is(first.status, 200);
  t.true(validateBatchResponse(first.body));
  t.deepEqual(first.body.results.map((r: { status: string }) => r.status), ['success', 'success']);
  const again = await h.call('/api/v1/events/batch/', { token: access, body: { events }, gzip: true });
  t.deepEqual(again.body.results.map((r: { status: string }) => r.status), ['duplicate', 'duplicate']);
  const projects = await h.call('/api/v1/projects/', { token: access });
  t.is(projects.body.projects[0].project_uuid, PROJECT);
  t.is(projects.body.projects[0].event_count, 2);
});

test('one bad event never fails its neighbours, and every item gets exactly one result, even one that is not an event', async (t) => {
  const h = await hub();
  const { access } = await h.login('ada');
  const good = move('WP01', 'planned', 'doing', 1);
  const items = [good, { ...move('WP02', 'planned', 'doing', 2), node_id: 'NOT-HEX' }, 42, { ...move('WP03', 'planned', 'doing', 3), team_slug: 'evil' }, null];
  const r = await h.call('/api/v1/events/batch/', { token: access, body: { events: items } });
  t.is(r.status, 200);
  t.is(r.body.results.length, items.length);
  t.deepEqual(r.body.results.map((x: { status: string }) => x.status), ['success', 'rejected', 'rejected', 'rejected', 'rejected']);
  t.regex(r.body.results[1].error_message, /node_id must be 12 lowercase hex chars/);
  t.regex(r.body.results[3].error_message, /team_slug "evil" is not your team \("acme"\)/);
});

test('a 2.x client\'s envelopes are accepted: no correlation_id, microseconds and +00:00, extra keys, unknown types', async (t) => {
  const h = await hub();
  const { access } = await h.login('ada');
  const { correlation_id: _dropped, ...legacy } = move('WP01', 'planned', 'doing', 1);
  const events = [
    { ...legacy, timestamp: '2026-11-30T10:00:00.123456+00:00', spec_kitty_delivery_identity: 'x', type: 'event' },
    { ...envelope({ project_uuid: PROJECT, project_slug: 'shop', team_slug: 'acme' }), event_type: 'SomethingNew', payload: { anything: true } },
    { ...envelope({ project_uuid: PROJECT, project_slug: 'shop', team_slug: 'acme' }), event_type: 'FeatureCreated', aggregate_type: 'Feature', aggregate_id: '001-cart',
      payload: { feature_slug: '001-cart', feature_number: '001', target_branch: 'main', wp_count: 3 } },
  ];
  const r = await h.call('/api/v1/events/batch/', { token: access, body: { events } });
  t.deepEqual(r.body.results.map((x: { status: string }) => x.status), ['success', 'success', 'success']);
  const ws = await fetch(`${h.url}/api/v1/ws-token/`, { method: 'POST', headers: { authorization: `Bearer ${access}` } });
  t.is(ws.status, 200);
  t.true(validateWsTokenResponse(await ws.json()));
});

test('bad requests get a 4xx with a JSON reason, never a 5xx', async (t) => {
  const h = await hub();
  const { access } = await h.login('ada');
  const batch = '/api/v1/events/batch/';
  const cases: Array<[string, Parameters<TestHub['call']>[1], number, string]> = [
    ['no token', { body: { events: [] } }, 401, 'unauthorized'],
    ['a bad token', { token: 'nope', body: { events: [] } }, 401, 'invalid_token'],
    ['malformed JSON', { token: access, raw: '{"events": [', headers: { 'content-type': 'application/json' } }, 400, 'bad_json'],
    ['not an object', { token: access, body: [1, 2] }, 400, 'bad_request'],
    ['no events array', { token: access, body: { events: 'x' } }, 400, 'bad_request'],
    ['a wrong content type', { token: access, raw: 'events', headers: { 'content-type': 'text/plain' } }, 415, 'unsupported_media_type'],
    ['an unknown encoding', { token: access, raw: 'x', headers: { 'content-type': 'application/json', 'content-encoding': 'br' } }, 415, 'bad_encoding'],
    ['broken gzip', { token: access, raw: Buffer.from('not gzip at all'), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } }, 415, 'bad_encoding'],
    ['1001 events', { token: access, body: { events: Array.from({ length: 1001 }, () => ({})) } }, 413, 'too_large'],
    ['a gzip bomb', { token: access, raw: gzipSync(Buffer.alloc(50 * 1024 * 1024, 32)), headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } }, 413, 'too_large'],
    ['a body over the wire limit', { token: access, raw: 'x'.repeat(2 * 1024 * 1024), headers: { 'content-type': 'application/json' } }, 413, 'too_large'],
  ];
  for (const [what, init, status, error] of cases) {
    const r = await h.call(batch, init);
    t.is(r.status, status, what);
    t.is(r.body?.error, error, what);
    if (status === 413) t.deepEqual(r.body.limits, { max_events_per_batch: 1000, max_decompressed_bytes_per_batch: 1048576, max_event_bytes: 65536 }, what);
  }
  t.like(await h.call('/api/v1/token/', { body: { username: 'ada' } }), { status: 400, body: { error: 'bad_request' } });
  t.like(await h.call('/api/v1/nowhere/'), { status: 404, body: { error: 'not_found' } });
  t.like(await h.call(`/api/v1/projects/${PROJECT}/events/?limit=0`, { token: access }), { status: 400, body: { error: 'bad_request' } });
});

test('teams are isolated: another team\'s token reads and writes nothing of this one', async (t) => {
  const h = await hub();
  const ada = await h.login('ada');
  const eve = await h.login('eve');
  await h.call('/api/v1/events/batch/', { token: ada.access, body: { events: [move('WP01', 'planned', 'doing', 1)] } });
  t.deepEqual((await h.call('/api/v1/projects/', { token: eve.access })).body.projects, []);
  t.deepEqual((await h.call(`/api/v1/projects/${PROJECT}/events/`, { token: eve.access })).body.events, []);
  const forged = await h.call('/api/v1/events/batch/', { token: eve.access, body: { events: [move('WP09', 'planned', 'doing', 5, 'acme')] } });
  t.is(forged.body.results[0].status, 'rejected');
  t.is((await h.call('/api/v1/projects/', { token: ada.access })).body.projects[0].event_count, 1);
});

test('the events of a project page newest first', async (t) => {
  const h = await hub();
  const { access } = await h.login('ada');
  const events = Array.from({ length: 5 }, (_, i) => move('WP01', 'planned', 'doing', i + 1));
  await h.call('/api/v1/events/batch/', { token: access, body: { events } });
  const page1 = await h.call(`/api/v1/projects/${PROJECT}/events/?limit=3`, { token: access });
  t.deepEqual(page1.body.events.map((e: { envelope: { event_id: string } }) => e.envelope.event_id), events.slice(2).reverse().map((e) => e.event_id));
  const page2 = await h.call(`/api/v1/projects/${PROJECT}/events/?limit=3&before=${page1.body.next_before}`, { token: access });
  t.deepEqual(page2.body.events.map((e: { envelope: { event_id: string } }) => e.envelope.event_id), events.slice(0, 2).reverse().map((e) => e.event_id));
  t.is(page2.body.next_before, null);
});

test('logout revokes: the access token stops working', async (t) => {
  const h = await hub();
  const { access, refresh } = await h.login('ada');
  t.is((await h.call('/api/v1/logout/', { token: access, body: { refresh } })).status, 200);
  t.is((await h.call('/api/v1/projects/', { token: access })).status, 401);
  t.is((await h.call('/api/v1/token/refresh/', { body: { refresh } })).status, 401);
});

test('the log has one line per request and never a token or password', async (t) => {
  const h = await hub();
  const { access, refresh } = await h.login('ada');
  await h.call('/api/v1/projects/', { token: access });
  await h.call('/api/v1/token/refresh/', { body: { refresh } });
  t.is(h.log.length, 3);
  t.regex(h.log[0], /^POST \/api\/v1\/token\/ 200 \d+\.\dms$/);
  for (const secret of [access, refresh, PASSWORD, 'Bearer']) t.false(h.log.join('\n').includes(secret), secret);
});

test('a restart keeps everything: users, events and the board', async (t) => {
  const first = await startHub();
  const { access } = await first.login('ada');
  await first.call('/api/v1/events/batch/', { token: access, body: { events: [move('WP01', 'planned', 'doing', 1)] } });
  await first.hub.close();
  const second = await hub({ db: first.db, users: false });
  const again = await second.login('ada');
  const projects = await second.call('/api/v1/projects/', { token: again.access });
  t.is(projects.body.projects[0].features[0].wps[0].lane, 'doing');
});

test('an item nested too deep, or with a lone surrogate, is rejected alone; its neighbours go in', async (t) => {
  const h = await hub();
  const { access } = await h.login('ada');
  const deep = `${'['.repeat(100_000)}"bottom"${']'.repeat(100_000)}`;
  const good = move('WP01', 'planned', 'doing', 1);
  const raw = `{"events":[${JSON.stringify(good)},${JSON.stringify({ ...move('WP02', 'planned', 'doing', 2), payload: { nested: '__DEEP__' } }).replace('"__DEEP__"', deep)},${JSON.stringify({ ...move('WP03', 'planned', 'doing', 3), event_type: 'X\udc00' })}]}`;
  const r = await h.call('/api/v1/events/batch/', { token: access, raw, headers: { 'content-type': 'application/json' } });
  t.is(r.status, 200);
  t.deepEqual(r.body.results.map((x: { status: string }) => x.status), ['success', 'rejected', 'rejected']);
  t.regex(r.body.results[1].error_message, /nested deeper than 64 levels/);
  t.regex(r.body.results[2].error_message, /lone surrogate/);
});

test('guesses sent at once cannot slip past the login limit, and a good login elsewhere does not reset it', async (t) => {
  const h = await hub();
  const guesses = await Promise.all(Array.from({ length: 20 }, (_, i) =>
    h.call('/api/v1/token/', { body: { username: 'ada', password: `guess ${i}` } })));
  t.is(guesses.filter((r) => r.status === 401).length, 5);
  t.is(guesses.filter((r) => r.status === 429).length, 15);
  // Per address the room is larger (30): a good login takes back only its own attempt, never the address's count.
  const h2 = await hub();
  for (let i = 0; i < 25; i++) t.is((await h2.call('/api/v1/token/', { body: { username: `nobody${i}`, password: 'guess' } })).status, 401);
  t.is((await h2.call('/api/v1/token/', { body: { username: 'bob', password: PASSWORD } })).status, 200);
  for (let i = 25; i < 30; i++) t.is((await h2.call('/api/v1/token/', { body: { username: `nobody${i}`, password: 'guess' } })).status, 401);
  const limited = await h2.call('/api/v1/token/', { body: { username: 'eve', password: PASSWORD } });
  t.is(limited.status, 429, 'the address has used its thirty failures');
});

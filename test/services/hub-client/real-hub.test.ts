import test, { type ExecutionContext } from 'ava';
import type { Envelope } from '../../../contract/index.js';
import { FetchHubClient } from '../../../services/hub-client/fetch-hub-client.js';
import { HubError } from '../../../services/hub-client/hub-error.js';
import { envelope } from '../../helpers/envelope.js';
import { PASSWORD, startHub } from '../../hub/hub-fixture.js';

async function setup(t: ExecutionContext) {
  const h = await startHub();
  const client = new FetchHubClient({ connectTimeoutMs: 2000, totalTimeoutMs: 10_000 });
  t.teardown(async () => {
    await client.close();
    await h.hub.close();
  });
  return { h, client, url: h.url };
}

const events = (n: number, over: Partial<Envelope> = {}) => Array.from({ length: n }, () => envelope({ team_slug: 'acme', ...over }));

test('login gives the pair and the team; a batch, gzip or plain, gets one result per event', async (t) => {
  const { client, url } = await setup(t);
  const tokens = await client.token(url, 'ada', PASSWORD);
  t.like(tokens, { team_slug: 'acme', access_lifetime: 900, refresh_lifetime: 604800 });
  const batch = [...events(2), envelope({ team_slug: 'evil' })];
  const first = await client.sendBatch(url, tokens.access, batch);
  t.deepEqual(first.map((r) => [r.event_id, r.status]), [[batch[0]!.event_id, 'success'], [batch[1]!.event_id, 'success'], [batch[2]!.event_id, 'rejected']]);
  t.regex(first[2]!.error_message ?? '', /team_slug "evil" is not your team/);
  const plain = await client.sendBatch(url, tokens.access, batch, { gzip: false });
  t.deepEqual(plain.map((r) => r.status), ['duplicate', 'duplicate', 'rejected']);
  const fresh = events(2);
  t.deepEqual((await client.sendBatch(url, tokens.access, fresh, { gzip: false })).map((r) => r.status), ['success', 'success']);
  t.deepEqual(await client.sendBatch(url, tokens.access, []), []);
});

test('refresh rotates the pair; the old refresh token is then refused', async (t) => {
  const { client, url } = await setup(t);
  const tokens = await client.token(url, 'bob', PASSWORD);
  const rotated = await client.refresh(url, tokens.refresh);
  t.is(rotated.team_slug, 'acme');
  t.not(rotated.refresh, tokens.refresh);
  t.not(rotated.access, tokens.access);
  const reused = await t.throwsAsync(client.refresh(url, tokens.refresh), { instanceOf: HubError });
  t.like(reused, { kind: 'unauthorized', status: 401, code: 'token_reused' });
  t.false(reused!.message.includes(tokens.refresh));
});

test('ws-token gives a short-lived token for the WebSocket', async (t) => {
  const { client, url } = await setup(t);
  const { access } = await client.token(url, 'ada', PASSWORD);
  const ws = await client.wsToken(url, access);
  t.true(ws.ws_token.length > 0);
  t.true(ws.expires_in > 0);
});

test('logout revokes: the access token then gets unauthorized, and so does the refresh token', async (t) => {
  const { client, url } = await setup(t);
  const tokens = await client.token(url, 'ada', PASSWORD);
  await client.logout(url, tokens.access, tokens.refresh);
  const ws = await t.throwsAsync(client.wsToken(url, tokens.access), { instanceOf: HubError });
  t.like(ws, { kind: 'unauthorized', status: 401 });
  t.false(ws!.message.includes(tokens.access));
  const batch = await t.throwsAsync(client.sendBatch(url, tokens.access, events(1)), { instanceOf: HubError });
  t.like(batch, { kind: 'unauthorized' });
  t.like(await t.throwsAsync(client.refresh(url, tokens.refresh)), { kind: 'unauthorized' });
});

test('a wrong password is unauthorized, and the message does not show it', async (t) => {
  const { client, url } = await setup(t);
  const err = await t.throwsAsync(client.token(url, 'ada', 'not the password'), { instanceOf: HubError });
  t.like(err, { kind: 'unauthorized', status: 401, code: 'invalid_credentials' });
  t.false(err!.message.includes('not the password'));
});

test('a batch over the hub\'s limits is too_large, with the limits', async (t) => {
  const { client, url } = await setup(t);
  const { access } = await client.token(url, 'ada', PASSWORD);
  const err = await t.throwsAsync(client.sendBatch(url, access, events(1001)), { instanceOf: HubError });
  t.like(err, { kind: 'too_large', status: 413, code: 'too_large' });
  t.deepEqual(err!.limits, { max_events_per_batch: 1000, max_decompressed_bytes_per_batch: 1048576, max_event_bytes: 65536 });
});

test('repeated failed logins are rate_limited, with retryAfterSeconds from Retry-After', async (t) => {
  const { client, url } = await setup(t);
  for (let i = 0; i < 5; i++) t.like(await t.throwsAsync(client.token(url, 'eve', `guess ${i}`)), { kind: 'unauthorized' });
  const err = await t.throwsAsync(client.token(url, 'eve', PASSWORD), { instanceOf: HubError });
  t.like(err, { kind: 'rate_limited', status: 429, code: 'rate_limited' });
  t.true(Number.isInteger(err!.retryAfterSeconds) && err!.retryAfterSeconds! >= 1 && err!.retryAfterSeconds! <= 60, String(err!.retryAfterSeconds));
  t.false(err!.message.includes(PASSWORD));
});

test('health gives the ingest limits', async (t) => {
  const { client, url } = await setup(t);
  t.deepEqual(await client.health(url), { max_events_per_batch: 1000, max_decompressed_bytes_per_batch: 1048576 });
});

test('the module binds one HubClient, which loads on its first call and then talks to the hub', async (t) => {
  const { url } = await setup(t);
  const { Container } = await import('inversify');
  const { TOKENS } = await import('../../../core/tokens.js');
  const { hubClientModule } = await import('../../../services/hub-client/module.js');
  const container = new Container();
  await container.load(hubClientModule);
  const client = container.get(TOKENS.HubClient);
  t.is(container.get(TOKENS.HubClient), client);
  await client.close(); // before any call: nothing to free, and no error
  t.deepEqual(await client.health(url), { max_events_per_batch: 1000, max_decompressed_bytes_per_batch: 1048576 });
  await t.throwsAsync(client.token(url, 'ada', 'wrong password'), { name: 'HubError' });
  await client.close();
});

import test from 'ava';
import { Ajv } from 'ajv';
import type { TSchema } from '@sinclair/typebox';
import { join } from 'node:path';
import { CONTRACT_KEYWORDS } from '../../contract/index.js';
import * as sync from '../../contract/sync.js';
import { addUser, serveHub, type HubStorage, type RunningHub } from '../../hub/index.js';
import { createSqliteStorage } from '../../hub/storage/sqlite/index.js';
import { envelope, PROJECT_A } from '../helpers/envelope.js';
import { tempDir } from '../helpers/cli.js';
import { PASSWORD, startHub, type TestHub } from './hub-fixture.js';

// Responses are held to the contract (hub/http/responses.ts): every route's answers have the
// contract's shape, and one that would not is a 500 in the error shape instead of leaving.

const ajv = new Ajv({ allErrors: true, strict: false });
for (const keyword of CONTRACT_KEYWORDS) ajv.addKeyword({ keyword, schemaType: 'string' });
const conforms = (schema: TSchema, body: unknown): string | true => {
  const check = ajv.compile(schema);
  return check(body) ? true : ajv.errorsText(check.errors);
};

const running: Array<{ close(): Promise<void> }> = [];
test.after.always(async () => { await Promise.all(running.map((h) => h.close())); });

test('every JSON route answers in the contract\'s shape, its refusals too', async (t) => {
  const h = await startHub();
  running.push(h.hub);
  const tokens = await h.login('ada');
  const answers: Array<[string, TSchema, { status: number; body: unknown }]> = [
    ['health', sync.HealthResponseSchema, await h.call('/api/v1/sync/health/')],
    ['token', sync.TokenResponseSchema, await h.call('/api/v1/token/', { body: { username: 'bob', password: PASSWORD } })],
    ['refresh', sync.TokenResponseSchema, await h.call('/api/v1/token/refresh/', { body: { refresh: tokens.refresh } })],
  ];
  const { access } = (answers[2][2].body as { access: string });
  const events = [envelope({ team_slug: 'acme' }), { event_id: 'not an event' }];
  answers.push(
    ['ws-token', sync.WsTokenResponseSchema, await h.call('/api/v1/ws-token/', { method: 'POST', token: access })],
    ['batch', sync.BatchResponseSchema, await h.call('/api/v1/events/batch/', { token: access, body: { events }, gzip: true })],
    ['projects', sync.ProjectsResponseSchema, await h.call('/api/v1/projects/', { token: access })],
    ['events', sync.ProjectEventsResponseSchema, await h.call(`/api/v1/projects/${PROJECT_A}/events/?limit=1`, { token: access })],
    ['no token', sync.ErrorBodySchema, await h.call('/api/v1/projects/')],
    ['bad JSON', sync.ErrorBodySchema, await h.call('/api/v1/events/batch/', { token: access, raw: '{"events": [', headers: { 'content-type': 'application/json' } })],
    ['bad query', sync.ErrorBodySchema, await h.call(`/api/v1/projects/${PROJECT_A}/events/?limit=0`, { token: access })],
    ['wrong type', sync.ErrorBodySchema, await h.call('/api/v1/events/batch/', { token: access, raw: 'x', headers: { 'content-type': 'text/plain' } })],
    ['too many', sync.TooLargeErrorBodySchema, await h.call('/api/v1/events/batch/', { token: access, body: { events: Array.from({ length: 1001 }, () => ({})) } })],
    ['no route', sync.ErrorBodySchema, await h.call('/api/v1/nothing/')],
    ['plain GET of the socket', sync.ErrorBodySchema, await h.call('/ws/v1/events/')],
    ['logout', sync.LogoutResponseSchema, await h.call('/api/v1/logout/', { method: 'POST', token: access })],
  );
  for (let i = 0; i < 6; i++) await h.call('/api/v1/token/', { body: { username: 'eve', password: `guess ${i}` } });
  answers.push(['rate limited', sync.ErrorBodySchema, await h.call('/api/v1/token/', { body: { username: 'eve', password: PASSWORD } })]);
  t.deepEqual(answers.map(([name, , r]) => `${name} ${r.status}`), [
    'health 200', 'token 200', 'refresh 200', 'ws-token 200', 'batch 200', 'projects 200', 'events 200', 'no token 401',
    'bad JSON 400', 'bad query 400', 'wrong type 415', 'too many 413', 'no route 404', 'plain GET of the socket 426',
    'logout 200', 'rate limited 429',
  ]);
  for (const [name, schema, r] of answers) t.is(conforms(schema, r.body), true, name);
});

/** A storage that answers some calls with what the contract does not allow. */
function breaking(storage: HubStorage, overrides: Partial<HubStorage>): HubStorage {
  return new Proxy(storage, {
    get: (target, key) => {
      if (key in overrides) return overrides[key as keyof HubStorage];
      const value = Reflect.get(target, key) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** A hub (user ada of acme) on such a storage: `overrides` is given the real one. */
async function hubOn(overrides: (storage: HubStorage) => Partial<HubStorage>): Promise<TestHub> {
  const storage = createSqliteStorage({ file: join(tempDir('sk-hub-'), 'hub.db') });
  await storage.migrate();
  await addUser(storage, 'ada', 'acme', PASSWORD);
  const log: string[] = [];
  const hub: RunningHub = await serveHub({ storage: breaking(storage, overrides(storage)), host: '127.0.0.1', port: 0, log: (line) => log.push(line) });
  running.push(hub);
  const call: TestHub['call'] = async (path, init = {}) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    const response = await fetch(`${hub.url}${path}`, { method: init.body === undefined ? 'GET' : 'POST', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
    return { status: response.status, body: JSON.parse(await response.text()), headers: response.headers };
  };
  const login: TestHub['login'] = async (user, password = PASSWORD) => (await call('/api/v1/token/', { body: { username: user, password } })).body;
  return { hub, url: hub.url, db: '', log, call, login };
}

const INTERNAL = { error: 'internal', message: 'the hub failed; the request was not applied' };

test('a body that breaks the contract never leaves the hub: a 500 in the error shape, and the log names the field', async (t) => {
  const h = await hubOn(() => ({
    projects: async () => [{ project_uuid: PROJECT_A, project_slug: 'alpha', features: [], node_ids: [], event_count: -1, last_event_at: null, secret: 'x' }] as never,
    ingest: async (_team, envelopes) => envelopes.map((e) => ({ event_id: e.event_id, status: 'stored' })) as never,
    events: async () => [{ seq: 1, receivedAt: 0, envelope: { event_id: 'not a ULID' } }] as never,
  }));
  const { access } = await h.login('ada');
  const projects = await h.call('/api/v1/projects/', { token: access });
  t.deepEqual([projects.status, projects.body], [500, INTERNAL]);
  const batch = await h.call('/api/v1/events/batch/', { token: access, body: { events: [envelope({ team_slug: 'acme' })] } });
  t.deepEqual([batch.status, batch.body], [500, INTERNAL]);
  const events = await h.call(`/api/v1/projects/${PROJECT_A}/events/`, { token: access });
  t.deepEqual([events.status, events.body], [500, INTERNAL]);
  const failures = h.log.filter((line) => line.startsWith('error: ResponseContractError'));
  t.is(failures.length, 3);
  t.regex(failures[0], /the 200 response of GET \/api\/v1\/projects\/ breaks the contract: projects\[0\]\.event_count must be an integer ≥ 0/);
  t.regex(failures[1], /POST \/api\/v1\/events\/batch\/.*results\[0\]\.status must be one of "success", "duplicate", "rejected"/);
  t.regex(failures[2], /events\[0\]\.envelope\.event_id must be a 26-char ULID/);
});

test('a token answer off the contract is not sent either', async (t) => {
  // A team slug the contract refuses (empty) reaches the token answer.
  const h = await hubOn((storage) => ({
    findUser: async (name) => {
      const user = await storage.findUser(name);
      return user && { ...user, team: { ...user.team, slug: '' } };
    },
  }));
  const r = await h.call('/api/v1/token/', { body: { username: 'ada', password: PASSWORD } });
  t.deepEqual([r.status, r.body], [500, INTERNAL]);
  t.false(JSON.stringify(r.body).includes('access'));
});

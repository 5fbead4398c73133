import test from 'ava';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import type { IngestEnvelope } from '../../../contract/index.js';
import { openHubStorage } from '../../../hub/storage/open.js';
import { createPostgresStorage, noticePayloads } from '../../../hub/storage/postgres/index.js';
import { SCHEMA_VERSION } from '../../../hub/storage/postgres/schema.js';
import { HubStorageError, type HubStorage, type StoredEvent } from '../../../hub/storage/storage.js';
import { PROJECT_A } from '../../helpers/envelope.js';
import { ingestEnvelope, storageSuite } from './suite.js';

// The storage suite on PostgreSQL, plus what only several hub processes on one database show.
// It needs SPEC_KITTY_TEST_PG: a connection URL whose user may create databases (.ci/run starts a
// throwaway cluster with test/helpers/postgres.ts and sets it). Each database made here is
// sk_test_<random>, dropped at the end.

const ADMIN_URL = process.env.SPEC_KITTY_TEST_PG;

// Needs no server: routing, and what an unreachable database gives.
test('postgres: openHubStorage routes postgres:// and postgresql:// URLs to PostgreSQL, never printing the password', async (t) => {
  for (const scheme of ['postgres', 'postgresql', 'POSTGRES']) {
    const storage = openHubStorage(`${scheme}://hub:s3cret-pw@127.0.0.1:1/nowhere`);
    try {
      const error = await t.throwsAsync(storage.migrate(), { instanceOf: HubStorageError });
      t.is(error?.code, 'unavailable');
      t.regex(error?.message ?? '', /127\.0\.0\.1:1\/nowhere/);
      t.notRegex(error?.message ?? '', /s3cret/);
    } finally {
      await storage.close();
    }
  }
});

test('postgres: notification payloads stay under 8000 bytes and name every seq once', (t) => {
  // 1000 scattered seqs (other transactions took the ones between): the worst case for ranges.
  const seqs = Array.from({ length: 1000 }, (_, i) => 9_000_000_000_000 + i * 2);
  const payloads = noticePayloads(42, seqs, 'abcdef0123456789:12');
  t.true(payloads.length > 1);
  const named: number[] = [];
  payloads.forEach((payload, i) => {
    t.true(Buffer.byteLength(payload) < 8000);
    const notice = JSON.parse(payload) as { t: number; s: Array<[number, number]>; e?: 1 };
    t.is(notice.t, 42);
    t.is(notice.e === 1, i === payloads.length - 1);
    for (const [first, last] of notice.s) for (let s = first; s <= last; s++) named.push(s);
  });
  t.deepEqual(named, seqs);
  t.deepEqual(JSON.parse(noticePayloads(1, [5, 3, 4, 9], 'x:1')[0]).s, [[3, 5], [9, 9]]);
});

if (!ADMIN_URL) {
  test.skip('postgres: storage suite and two hub processes on one database (skipped: set SPEC_KITTY_TEST_PG to a postgres:// URL whose user may create databases; .ci/run does)', () => undefined);
} else {
  const admin = postgres(ADMIN_URL, { max: 2, onnotice: () => undefined });
  const created: string[] = [];
  let creating: Promise<unknown> = Promise.resolve();

  /** A new empty database (made one at a time), and its URL. */
  async function newDatabaseUrl(): Promise<string> {
    const name = `sk_test_${randomBytes(6).toString('hex')}`;
    const made = creating.then(() => admin.unsafe(`CREATE DATABASE ${name}`));
    creating = made.catch(() => undefined);
    await made;
    created.push(name);
    const url = new URL(ADMIN_URL as string);
    url.pathname = `/${name}`;
    return url.toString();
  }

  const opened: HubStorage[] = [];
  test.after.always(async () => {
    for (const storage of opened) await storage.close().catch(() => undefined);
    for (const name of created) await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await admin.end({ timeout: 5 });
  });

  storageSuite('postgres', async () => {
    const url = await newDatabaseUrl();
    return async () => createPostgresStorage({ url, max: 4 });
  });

  /** A migrated storage on `url`, closed at the end. */
  async function hub(url: string): Promise<HubStorage> {
    const storage = createPostgresStorage({ url, max: 4 });
    opened.push(storage);
    await storage.migrate();
    return storage;
  }

  async function eventually(check: () => boolean, what: string, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  const T0 = Date.UTC(2026, 0, 1);
  const moved = (wp: string, to: string, lamport: number, node: string, over: Partial<IngestEnvelope> = {}) =>
    ingestEnvelope({
      aggregate_id: wp,
      payload: { wp_id: wp, previous_status: 'planned', new_status: to, changed_by: 'ada', feature_slug: '001-x' },
      lamport_clock: lamport,
      node_id: node,
      timestamp: new Date(T0 + lamport * 60_000).toISOString(),
      ...over,
    });

  test('postgres: two hub processes on one database: an event ingested through one reaches the other\'s subscribers, once each', async (t) => {
    const url = await newDatabaseUrl();
    const [a, b] = await Promise.all([hub(url), hub(url)]);
    const team = await a.ensureTeam('acme');
    const heardA: Array<{ teamId: number; events: StoredEvent[] }> = [];
    const heardB: Array<{ teamId: number; events: StoredEvent[] }> = [];
    a.subscribe((teamId, events) => heardA.push({ teamId, events }));
    b.subscribe((teamId, events) => heardB.push({ teamId, events }));

    const first = moved('WP01', 'doing', 1, '111111111111');
    const second = moved('WP02', 'doing', 2, '111111111111');
    t.deepEqual((await a.ingest(team.id, [first, second], T0)).map((r) => r.status), ['success', 'success']);
    // Its own subscribers have heard when ingest() returns; the other process's, soon after.
    t.is(heardA.length, 1);
    await eventually(() => heardB.length === 1, 'the other storage to hear');
    const stored = await b.events(team.id, PROJECT_A, { limit: 10 });
    for (const heard of [heardA[0], heardB[0]]) {
      t.is(heard.teamId, team.id);
      t.deepEqual(heard.events.map((e) => e.envelope), [first, second]);
      t.deepEqual(heard.events.map((e) => e.seq), stored.map((e) => e.seq).reverse());
      t.deepEqual(heard.events.map((e) => e.receivedAt), [T0, T0]);
    }

    // The other way round, and a duplicate is no news to anyone.
    const third = moved('WP01', 'for_review', 3, '222222222222');
    await b.ingest(team.id, [third, first], T0 + 1);
    await eventually(() => heardA.length === 2, 'the first storage to hear');
    t.is(heardB.length, 2);
    t.deepEqual(heardA[1].events.map((e) => e.envelope.event_id), [third.event_id]);
    t.deepEqual(heardB[1].events.map((e) => e.envelope.event_id), [third.event_id]);
    await new Promise((r) => setTimeout(r, 200));
    t.is(heardA.length, 2);
    t.is(heardB.length, 2);
  });

  test('postgres: a 1000-event batch reaches the other process whole, through notifications under the size limit', async (t) => {
    const url = await newDatabaseUrl();
    const [a, b] = await Promise.all([hub(url), hub(url)]);
    const team = await a.ensureTeam('acme');
    const heard: StoredEvent[] = [];
    b.subscribe((teamId, events) => {
      if (teamId === team.id) heard.push(...events);
    });
    const batch = Array.from({ length: 1000 }, (_, i) =>
      moved(`WP${String(i % 40).padStart(2, '0')}`, i % 2 ? 'doing' : 'for_review', i + 1, '111111111111', {
        payload: { wp_id: `WP${i % 40}`, new_status: 'doing', feature_slug: '001-x', note: 'x'.repeat(300) },
      }),
    );
    const results = await a.ingest(team.id, batch, T0);
    t.true(results.every((r) => r.status === 'success'));
    await eventually(() => heard.length >= 1000, 'all 1000 events');
    t.deepEqual(heard.map((e) => e.envelope.event_id), batch.map((e) => e.event_id));
    t.is((await b.projects(team.id))[0].event_count, 1000);
  });

  test('postgres: after the listener reconnects, events stored during the gap still reach the subscribers', async (t) => {
    const url = await newDatabaseUrl();
    const [a, b] = await Promise.all([hub(url), hub(url)]);
    const team = await a.ensureTeam('acme');
    const heard: string[] = [];
    b.subscribe((_team, events) => heard.push(...events.map((e) => e.envelope.event_id)));
    const before = moved('WP01', 'doing', 1, '111111111111');
    await a.ingest(team.id, [before], T0);
    await eventually(() => heard.includes(before.event_id), 'the first event');
    // Cut every LISTEN session: postgres.js reconnects them, but what is notified meanwhile is lost.
    const name = new URL(url).pathname.slice(1);
    await admin.unsafe(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}' AND query ILIKE 'listen%'`);
    const during = moved('WP02', 'doing', 2, '111111111111');
    await a.ingest(team.id, [during], T0 + 1);
    await eventually(() => heard.includes(during.event_id), 'the event stored during the gap', 20_000);
    t.is(heard.filter((id) => id === before.event_id).length, 1, 'nothing told twice');
  });

  test('postgres: catching up after a reconnect works even when nothing was told before it, and pages through a long gap', async (t) => {
    const url = await newDatabaseUrl();
    const [a, b] = await Promise.all([hub(url), hub(url)]);
    const team = await a.ensureTeam('acme');
    await a.ingest(team.id, [moved('WP09', 'doing', 1, '111111111111')], T0); // stored before b listened to anything of it
    const heard: string[] = [];
    b.subscribe((_team, events) => heard.push(...events.map((e) => e.envelope.event_id)));
    await new Promise((r) => setTimeout(r, 300));
    heard.length = 0;
    const name = new URL(url).pathname.slice(1);
    await admin.unsafe(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}' AND query ILIKE 'listen%'`);
    const gap = Array.from({ length: 1500 }, (_, i) => moved(`WP${String(i % 90).padStart(2, '0')}`, 'doing', i + 2, '111111111111'));
    await a.ingest(team.id, gap, T0 + 1);
    await eventually(() => gap.every((e) => heard.includes(e.event_id)), 'every event of the gap', 30_000);
    // Around a reconnect an event may be told twice (by catch-up and by a late notification): clients key by event_id.
    t.true(gap.every((e) => heard.includes(e.event_id)));
  });

  test('postgres: concurrent ingests of one WP\'s events through two hub processes converge to the serial board', async (t) => {
    const url = await newDatabaseUrl();
    const [a, b] = await Promise.all([hub(url), hub(url)]);
    const nodes = ['111111111111', '222222222222', 'aaaaaaaaaaaa'];
    const lanes = ['planned', 'doing', 'for_review', 'done'];
    // Events of one WP (and one feature, one project), none of whose rows exist yet, with clock
    // ties broken by node id, and a second WP that appears in the middle.
    const events: IngestEnvelope[] = [];
    for (let i = 0; i < 90; i++) {
      const lamport = 1 + Math.floor(i / 3);
      const wp = i % 10 === 9 ? 'WP02' : 'WP01';
      events.push(moved(wp, lanes[(i * 7) % 4], lamport, nodes[i % 3], { project_slug: `alpha-${i % 5}` }));
    }
    const serial = await a.ensureTeam('serial');
    await a.ingest(serial.id, events, T0);
    const expected = await a.projects(serial.id);
    t.is(expected[0].event_count, events.length);

    for (let round = 0; round < 4; round++) {
      const team = await a.ensureTeam(`concurrent-${round}`);
      // Small batches, all at once, alternating between the two processes, in varied orders.
      const order = round % 2 === 0 ? [...events].reverse() : events.map((_, i) => events[(i * 37) % events.length]);
      const batches: IngestEnvelope[][] = [];
      for (let i = 0; i < order.length; i += 3) batches.push(order.slice(i, i + 3));
      const results = await Promise.all(batches.map((batch, i) => (i % 2 === 0 ? a : b).ingest(team.id, batch, T0)));
      t.true(results.flat().every((r) => r.status === 'success'), `round ${round}`);
      t.deepEqual(await b.projects(team.id), expected, `round ${round}`);
    }

    // The same events sent through both at once: each is stored once, as success on one side
    // and duplicate on the other, and the board is the same.
    const team = await a.ensureTeam('both');
    const [fromA, fromB] = await Promise.all([a.ingest(team.id, events, T0), b.ingest(team.id, [...events].reverse(), T0)]);
    const statuses = new Map<string, string[]>();
    for (const r of [...fromA, ...fromB]) statuses.set(r.event_id, [...(statuses.get(r.event_id) ?? []), r.status].sort());
    t.true([...statuses.values()].every((s) => s.join() === 'duplicate,success'));
    t.deepEqual(await a.projects(team.id), expected);
  });

  test('postgres: migrations are recorded in schema_migrations; several storages migrating a new database at once all succeed', async (t) => {
    const url = await newDatabaseUrl();
    const storages = Array.from({ length: 4 }, () => {
      const storage = createPostgresStorage({ url, max: 2 });
      opened.push(storage);
      return storage;
    });
    await t.notThrowsAsync(Promise.all(storages.map((s) => s.migrate())));
    await Promise.all(storages.map((s, i) => s.ensureTeam(`team-${i}`)));
    t.deepEqual((await storages[0].listTeams()).map((team) => team.slug), ['team-0', 'team-1', 'team-2', 'team-3']);
    const db = postgres(url, { max: 1, onnotice: () => undefined });
    try {
      const rows = await db<Array<{ version: number }>>`SELECT version FROM schema_migrations ORDER BY version`;
      t.deepEqual(rows.map((r) => r.version), Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
    } finally {
      await db.end();
    }
  });

  test('postgres: used before migrate() it says so; a newer schema is refused with a clear error', async (t) => {
    const url = await newDatabaseUrl();
    const early = createPostgresStorage({ url, max: 1 });
    opened.push(early);
    await t.throwsAsync(early.listTeams(), { instanceOf: HubStorageError, message: /not migrated/ });
    await (await hub(url)).ensureTeam('acme');
    const db = postgres(url, { max: 1, onnotice: () => undefined });
    try {
      await db`INSERT INTO schema_migrations (version, applied_at) VALUES (${SCHEMA_VERSION + 1}, 0)`;
    } finally {
      await db.end();
    }
    const late = createPostgresStorage({ url, max: 1 });
    opened.push(late);
    const error = await t.throwsAsync(late.migrate(), { instanceOf: HubStorageError });
    t.is(error?.code, 'unavailable');
    t.regex(error?.message ?? '', new RegExp(`schema version ${SCHEMA_VERSION + 1}, newer than this hub knows \\(${SCHEMA_VERSION}\\)`));
  });

  test('postgres: close() ends the pool and the listener', async (t) => {
    const url = await newDatabaseUrl();
    const name = new URL(url).pathname.slice(1);
    const storage = createPostgresStorage({ url, max: 3 });
    await storage.migrate();
    storage.subscribe(() => undefined);
    const team = await storage.ensureTeam('acme');
    await Promise.all([storage.listTeams(), storage.projects(team.id), storage.ingest(team.id, [moved('WP01', 'doing', 1, '111111111111')], T0)]);
    const count = async () =>
      Number((await admin`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = ${name} AND application_name = 'spec-kitty-hub'`)[0].n);
    t.true((await count()) >= 2); // the pool and the listener
    await storage.close();
    await eventually(() => true, 'nothing');
    const deadline = Date.now() + 5000;
    let left = await count();
    while (left > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      left = await count();
    }
    t.is(left, 0);
    await t.throwsAsync(storage.listTeams(), { instanceOf: HubStorageError, message: /closed/ });
  });
}

import test from 'ava';
import type { IngestEnvelope } from '../../../contract/index.js';
import { HubStorageError, type HubStorage, type StoredToken } from '../../../hub/storage/storage.js';
import { newUlid } from '../../../lib/ulid.js';
import { PROJECT_A, PROJECT_B, envelope } from '../../helpers/envelope.js';

// The behaviour every HubStorage must have, whatever holds the data. Backends register it with
// their own way of making an empty database: sqlite.test.ts always, a PostgreSQL test when
// SPEC_KITTY_TEST_PG is set. Nothing here may know which backend it runs on.

/** Opens a storage (not migrated yet) on one database; each call opens another connection to it. */
export type OpenStorage = () => Promise<HubStorage>;
/** Makes a new, empty database and returns the way to open storages on it. */
export type NewDatabase = () => Promise<OpenStorage>;

const NODE_1 = '111111111111';
const NODE_2 = '222222222222';
const NODE_3 = 'aaaaaaaaaaaa';
const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;

/** A valid envelope of any type (fresh ids), at a fixed time on node 1; `over` replaces fields. */
export function ingestEnvelope(over: Partial<IngestEnvelope> = {}): IngestEnvelope {
  return { ...envelope({ timestamp: new Date(T0).toISOString(), node_id: NODE_1, lamport_clock: 1 }), ...over };
}

const at = (lamport: number) => new Date(T0 + lamport * 60_000).toISOString();

const featureCreated = (slug: string, name: string, lamport: number, over: Partial<IngestEnvelope> = {}) =>
  ingestEnvelope({
    event_type: 'FeatureCreated',
    aggregate_id: slug,
    aggregate_type: 'Feature',
    payload: { feature_slug: slug, name, feature_number: '001', target_branch: 'main', wp_count: 2 },
    lamport_clock: lamport,
    timestamp: at(lamport),
    ...over,
  });

const featureCompleted = (slug: string, lamport: number, over: Partial<IngestEnvelope> = {}) =>
  ingestEnvelope({
    event_type: 'FeatureCompleted',
    aggregate_id: slug,
    aggregate_type: 'Feature',
    payload: { feature_slug: slug },
    lamport_clock: lamport,
    timestamp: at(lamport),
    ...over,
  });

const wpCreated = (wp: string, title: string, lamport: number, over: Partial<IngestEnvelope> = {}, feature = '001-x') =>
  ingestEnvelope({
    event_type: 'WPCreated',
    aggregate_id: wp,
    payload: { wp_id: wp, title, feature_slug: feature },
    lamport_clock: lamport,
    timestamp: at(lamport),
    ...over,
  });

const moved = (wp: string, from: string, to: string, lamport: number, over: Partial<IngestEnvelope> = {}, feature = '001-x') =>
  ingestEnvelope({
    aggregate_id: wp,
    payload: { wp_id: wp, previous_status: from, new_status: to, changed_by: 'ada', feature_slug: feature },
    lamport_clock: lamport,
    timestamp: at(lamport),
    ...over,
  });

/** A small deterministic PRNG (mulberry32), so shuffles are the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const token = (over: Partial<StoredToken> = {}): StoredToken => ({
  hash: newUlid().toLowerCase().padEnd(64, '0'),
  kind: 'refresh',
  userId: 1,
  family: 'fam-1',
  expiresAt: T0 + HOUR,
  usedAt: null,
  revokedAt: null,
  ...over,
});

export function storageSuite(name: string, newDatabase: NewDatabase): void {
  const opened: HubStorage[] = [];
  test.after.always(async () => {
    for (const storage of opened) await storage.close().catch(() => undefined);
  });

  /** An open storage on the database, migrated. */
  async function connect(open: OpenStorage): Promise<HubStorage> {
    const storage = await open();
    opened.push(storage);
    await storage.migrate();
    return storage;
  }

  /** A migrated storage on a new database, and the way to open more on it. */
  async function fresh(): Promise<{ storage: HubStorage; open: OpenStorage }> {
    const open = await newDatabase();
    return { storage: await connect(open), open };
  }

  const t = (title: string) => `${name}: ${title}`;

  // Accounts

  test(t('teams: ensureTeam is idempotent and listTeams counts users'), async (t) => {
    const { storage } = await fresh();
    const a = await storage.ensureTeam('acme');
    t.deepEqual(await storage.ensureTeam('acme'), a);
    const b = await storage.ensureTeam('beta');
    t.not(a.id, b.id);
    await storage.addUser('ada', a.id, 'hash-a', T0);
    await storage.addUser('bob', a.id, 'hash-b', T0);
    t.deepEqual(await storage.listTeams(), [
      { id: a.id, slug: 'acme', users: 2 },
      { id: b.id, slug: 'beta', users: 0 },
    ]);
  });

  test(t('users: add, find, list, remove; a duplicate name is HubStorageError exists'), async (t) => {
    const { storage } = await fresh();
    const team = await storage.ensureTeam('acme');
    const other = await storage.ensureTeam('beta');
    const ada = await storage.addUser('ada', team.id, 'scrypt$ada', T0);
    t.like(ada, { name: 'ada', team: { id: team.id, slug: 'acme' }, passwordHash: 'scrypt$ada', createdAt: T0 });
    t.deepEqual(await storage.findUser('ada'), ada);
    t.deepEqual(await storage.findUserById(ada.id), ada);
    t.is(await storage.findUser('nobody'), null);
    t.is(await storage.findUserById(ada.id + 1000), null);
    const error = await t.throwsAsync(storage.addUser('ada', other.id, 'x', T0), { instanceOf: HubStorageError });
    t.is(error?.code, 'exists');
    const bob = await storage.addUser('bob', other.id, 'scrypt$bob', T0 + 1);
    t.deepEqual(await storage.listUsers(), [ada, bob]);
    t.true(await storage.removeUser('ada'));
    t.false(await storage.removeUser('ada'));
    t.is(await storage.findUser('ada'), null);
    t.deepEqual(await storage.listUsers(), [bob]);
    // The name is free again, and the new user is another user.
    const again = await storage.addUser('ada', team.id, 'scrypt$new', T0 + 2);
    t.not(again.id, ada.id);
  });

  test(t('users: removeUser revokes their tokens'), async (t) => {
    const { storage } = await fresh();
    const team = await storage.ensureTeam('acme');
    const ada = await storage.addUser('ada', team.id, 'h', T0);
    const bob = await storage.addUser('bob', team.id, 'h', T0);
    const adaToken = token({ userId: ada.id, kind: 'access', expiresAt: Date.now() + HOUR });
    const bobToken = token({ userId: bob.id, kind: 'ws', expiresAt: Date.now() + HOUR });
    await storage.putToken(adaToken);
    await storage.putToken(bobToken);
    t.true(await storage.removeUser('ada'));
    const found = await storage.findToken(adaToken.hash);
    t.not(found?.revokedAt ?? null, null);
    t.false(await storage.useToken(adaToken.hash, Date.now()));
    t.is((await storage.findToken(bobToken.hash))?.revokedAt, null);
  });

  // Tokens

  test(t('tokens: put and find; find of an unknown hash is null'), async (t) => {
    const { storage } = await fresh();
    const stored = token({ kind: 'access', family: 'f', usedAt: null, revokedAt: null });
    await storage.putToken(stored);
    t.deepEqual(await storage.findToken(stored.hash), stored);
    const spent = token({ kind: 'ws', usedAt: T0, revokedAt: T0 + 1 });
    await storage.putToken(spent);
    t.deepEqual(await storage.findToken(spent.hash), spent);
    t.is(await storage.findToken('0'.repeat(64)), null);
  });

  test(t('tokens: useToken is true exactly once under 20 concurrent calls from two connections'), async (t) => {
    const { storage, open } = await fresh();
    const second = await connect(open);
    const stored = token({ kind: 'ws' });
    await storage.putToken(stored);
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? storage : second).useToken(stored.hash, T0)),
    );
    t.is(outcomes.filter(Boolean).length, 1);
    t.is((await storage.findToken(stored.hash))?.usedAt, T0);
    t.false(await storage.useToken(stored.hash, T0 + 1));
  });

  test(t('tokens: useToken is false when expired, revoked, used or unknown'), async (t) => {
    const { storage } = await fresh();
    const expired = token({ expiresAt: T0 });
    const revoked = token();
    const used = token({ usedAt: T0 - 1 });
    for (const tok of [expired, revoked, used]) await storage.putToken(tok);
    await storage.revokeToken(revoked.hash, T0 - 5);
    t.false(await storage.useToken(expired.hash, T0));
    t.false(await storage.useToken(expired.hash, T0 + 1));
    t.false(await storage.useToken(revoked.hash, T0 - 1));
    t.false(await storage.useToken(used.hash, T0 - 1));
    t.false(await storage.useToken('f'.repeat(64), T0 - 1));
    t.is((await storage.findToken(revoked.hash))?.revokedAt, T0 - 5);
    t.is((await storage.findToken(expired.hash))?.usedAt, null);
  });

  test(t('tokens: revokeFamily revokes that family only and keeps the first revocation time'), async (t) => {
    const { storage } = await fresh();
    const a1 = token({ family: 'a', usedAt: T0 - 10 });
    const a2 = token({ family: 'a' });
    const b1 = token({ family: 'b' });
    for (const tok of [a1, a2, b1]) await storage.putToken(tok);
    await storage.revokeToken(a1.hash, T0 - 5);
    await storage.revokeFamily('a', T0);
    t.is((await storage.findToken(a1.hash))?.revokedAt, T0 - 5);
    t.is((await storage.findToken(a2.hash))?.revokedAt, T0);
    t.is((await storage.findToken(b1.hash))?.revokedAt, null);
    t.false(await storage.useToken(a2.hash, T0 - 1));
    t.true(await storage.useToken(b1.hash, T0 - 1));
  });

  test(t('tokens: pruneTokens deletes those expired before now and counts them'), async (t) => {
    const { storage } = await fresh();
    const old1 = token({ expiresAt: T0 - 2 });
    const old2 = token({ expiresAt: T0 - 1, revokedAt: T0 - 3 });
    const live = token({ expiresAt: T0 + 1 });
    for (const tok of [old1, old2, live]) await storage.putToken(tok);
    t.is(await storage.pruneTokens(T0), 2);
    t.is(await storage.findToken(old1.hash), null);
    t.is(await storage.findToken(old2.hash), null);
    t.deepEqual(await storage.findToken(live.hash), live);
    t.is(await storage.pruneTokens(T0), 0);
  });

  // Ingest

  test(t('ingest: success, then duplicate on a resend'), async (t) => {
    const { storage } = await fresh();
    const team = await storage.ensureTeam('acme');
    const event = moved('WP01', 'planned', 'doing', 3);
    t.deepEqual(await storage.ingest(team.id, [event], T0), [{ event_id: event.event_id, status: 'success' }]);
    t.deepEqual(await storage.ingest(team.id, [event], T0 + 1), [{ event_id: event.event_id, status: 'duplicate' }]);
    const events = await storage.events(team.id, PROJECT_A, { limit: 10 });
    t.is(events.length, 1);
    t.deepEqual(events[0].envelope, event);
    t.is(events[0].receivedAt, T0);
    t.is((await storage.projects(team.id))[0].event_count, 1);
  });

  test(t('subscribers hear of each newly stored event once, with its team and seq, after it is committed'), async (t) => {
    const { storage } = await fresh();
    const team = await storage.ensureTeam('acme');
    const heard: Array<{ teamId: number; ids: string[]; seqs: number[] }> = [];
    const stop = storage.subscribe((teamId, events) => heard.push({ teamId, ids: events.map((e) => e.envelope.event_id), seqs: events.map((e) => e.seq) }));
    const a = moved('WP01', 'planned', 'doing', 1);
    const b = moved('WP02', 'planned', 'doing', 2);
    await storage.ingest(team.id, [a, b], T0);
    await storage.ingest(team.id, [a], T0 + 1); // a duplicate is not news
    stop();
    await storage.ingest(team.id, [moved('WP03', 'planned', 'doing', 3)], T0 + 2);
    t.is(heard.length, 1);
    t.deepEqual(heard[0].ids, [a.event_id, b.event_id]);
    t.is(heard[0].teamId, team.id);
    const stored = await storage.events(team.id, PROJECT_A, { limit: 10 });
    t.deepEqual([...heard[0].seqs].reverse(), stored.filter((e) => heard[0].ids.includes(e.envelope.event_id)).map((e) => e.seq));
  });

  test(t('board: a later ingest of a known WP keeps what earlier ones set (title, feature name)'), async (t) => {
    const { storage } = await fresh();
    const team = await storage.ensureTeam('acme');
    const created = ingestEnvelope({
      event_type: 'WPCreated', aggregate_id: 'WP01', lamport_clock: 1,
      payload: { wp_id: 'WP01', title: 'Cart', feature_slug: '001-x' },
    });
    const feature = ingestEnvelope({
      event_type: 'FeatureCreated', aggregate_type: 'Feature', aggregate_id: '001-x', lamport_clock: 1,
      payload: { feature_slug: '001-x', name: 'Checkout' },
    });
    await storage.ingest(team.id, [feature, created], T0);
    await storage.ingest(team.id, [moved('WP01', 'planned', 'doing', 2)], T0 + 1);
    const [project] = await storage.projects(team.id);
    const [f] = project.features.filter((x) => x.feature_slug === '001-x');
    t.is(f.name, 'Checkout');
    t.like(f.wps.find((w) => w.wp_id === 'WP01'), { lane: 'doing', title: 'Cart' });
  });

  test(t('ingest: the same event_id in two teams is stored once per team'), async (t) => {
    const { storage } = await fresh();
    const a = await storage.ensureTeam('acme');
    const b = await storage.ensureTeam('beta');
    const event = moved('WP01', 'planned', 'doing', 3);
    t.deepEqual(await storage.ingest(a.id, [event], T0), [{ event_id: event.event_id, status: 'success' }]);
    t.deepEqual(await storage.ingest(b.id, [event], T0), [{ event_id: event.event_id, status: 'success' }]);
    t.deepEqual(await storage.ingest(b.id, [event], T0), [{ event_id: event.event_id, status: 'duplicate' }]);
    t.is((await storage.events(a.id, PROJECT_A, { limit: 10 })).length, 1);
    t.is((await storage.events(b.id, PROJECT_A, { limit: 10 })).length, 1);
    t.is((await storage.projects(a.id))[0].event_count, 1);
    t.is((await storage.projects(b.id))[0].event_count, 1);
  });

  test(t('ingest: one result per event, in order, duplicates within a batch included'), async (t) => {
    const { storage } = await fresh();
    const team = await storage.ensureTeam('acme');
    const first = moved('WP01', 'planned', 'doing', 1);
    await storage.ingest(team.id, [first], T0);
    const batch = [moved('WP02', 'planned', 'doing', 2), first, moved('WP01', 'doing', 'for_review', 3)];
    batch.push(batch[0], ingestEnvelope({ event_type: 'Mystery', lamport_clock: 4, payload: {} }));
    const results = await storage.ingest(team.id, batch, T0);
    t.deepEqual(
      results.map((r) => [r.event_id, r.status]),
      [
        [batch[0].event_id, 'success'],
        [first.event_id, 'duplicate'],
        [batch[2].event_id, 'success'],
        [batch[0].event_id, 'duplicate'],
        [batch[4].event_id, 'success'],
      ],
    );
    t.deepEqual(await storage.ingest(team.id, [], T0), []);
    t.is((await storage.projects(team.id))[0].event_count, 4);
  });

  test(t('ingest: calls made at once each get their own results; an event sent in two of them is stored once'), async (t) => {
    const { storage } = await fresh();
    const team = await storage.ensureTeam('acme');
    const heard: string[] = [];
    storage.subscribe((_teamId, events) => heard.push(...events.map((e) => e.envelope.event_id)));
    const [a, b, c] = [moved('WP01', 'planned', 'doing', 1), moved('WP02', 'planned', 'doing', 2), moved('WP03', 'planned', 'doing', 3)];
    const calls = [[a, b], [b, c], [a]];
    const results = await Promise.all(calls.map((batch) => storage.ingest(team.id, batch, T0)));
    results.forEach((r, i) => t.deepEqual(r.map((x) => x.event_id), calls[i].map((e) => e.event_id)));
    const statuses = (id: string) => results.flat().filter((r) => r.event_id === id).map((r) => r.status).sort();
    t.deepEqual(statuses(a.event_id), ['duplicate', 'success']);
    t.deepEqual(statuses(b.event_id), ['duplicate', 'success']);
    t.deepEqual(statuses(c.event_id), ['success']);
    t.deepEqual([...heard].sort(), [a, b, c].map((e) => e.event_id).sort());
    t.is((await storage.projects(team.id))[0].event_count, 3);
    t.is((await storage.events(team.id, PROJECT_A, { limit: 10 })).length, 3);
  });

  test(t('board: two connections ingesting in turn each build on what the other stored'), async (t) => {
    const { storage, open } = await fresh();
    const second = await connect(open);
    const team = await storage.ensureTeam('acme');
    const turns: Array<[HubStorage, IngestEnvelope[]]> = [
      [storage, [featureCreated('001-x', 'X', 1), wpCreated('WP01', 'One', 2)]],
      [second, [moved('WP01', 'planned', 'doing', 3, { node_id: NODE_2 }), wpCreated('WP02', 'Two', 3, { node_id: NODE_2 })]],
      [storage, [moved('WP02', 'planned', 'doing', 4)]],
      [second, [moved('WP01', 'doing', 'for_review', 5, { node_id: NODE_3, project_slug: 'alpha-2' })]],
      [storage, [featureCompleted('001-x', 6)]],
    ];
    for (const [by, events] of turns) await by.ingest(team.id, events, T0);
    const reference = await storage.ensureTeam('reference');
    await storage.ingest(reference.id, turns.flatMap(([, events]) => events), T0);
    const expected = await storage.projects(reference.id);
    t.like(expected[0], { event_count: 7, node_ids: [NODE_1, NODE_2, NODE_3] });
    t.deepEqual(await storage.projects(team.id), expected);
    t.deepEqual(await second.projects(team.id), expected);
  });

  test(t('ingest: an envelope without a project identity is stored but on no board'), async (t) => {
    const { storage } = await fresh();
    const team = await storage.ensureTeam('acme');
    const held = moved('WP01', 'planned', 'doing', 1, { project_uuid: null, project_slug: null });
    t.deepEqual(await storage.ingest(team.id, [held], T0), [{ event_id: held.event_id, status: 'success' }]);
    t.deepEqual(await storage.ingest(team.id, [held], T0), [{ event_id: held.event_id, status: 'duplicate' }]);
    t.deepEqual(await storage.projects(team.id), []);
  });

  test(t('board: features, WPs, lanes, names, completion, nodes and counts'), async (t) => {
    const { storage } = await fresh();
    const team = await storage.ensureTeam('acme');
    const events = [
      featureCreated('001-x', 'Feature X', 1),
      wpCreated('WP01', 'First', 2),
      wpCreated('WP02', 'Second', 3, { node_id: NODE_2 }),
      moved('WP01', 'planned', 'doing', 4),
      // friendly_name is the 2.x spelling
      ingestEnvelope({ event_type: 'FeatureCreated', aggregate_id: '002-y', aggregate_type: 'Feature', payload: { feature_slug: '002-y', friendly_name: 'Feature Y' }, lamport_clock: 5, timestamp: at(5) }),
      // a status change for a feature and WP never created creates both
      moved('WP07', 'planned', 'for_review', 6, {}, '003-z'),
      featureCompleted('001-x', 7, { node_id: NODE_2 }),
    ];
    const results = await storage.ingest(team.id, events, T0);
    t.true(results.every((r) => r.status === 'success'));
    t.deepEqual(await storage.projects(team.id), [
      {
        project_uuid: PROJECT_A,
        project_slug: 'alpha',
        features: [
          {
            feature_slug: '001-x',
            name: 'Feature X',
            completed_at: at(7),
            wps: [
              { wp_id: 'WP01', lane: 'doing', title: 'First', lamport_clock: 4, node_id: NODE_1, updated_at: at(4) },
              { wp_id: 'WP02', lane: 'planned', title: 'Second', lamport_clock: 3, node_id: NODE_2, updated_at: at(3) },
            ],
          },
          { feature_slug: '002-y', name: 'Feature Y', completed_at: null, wps: [] },
          {
            feature_slug: '003-z',
            name: null,
            completed_at: null,
            wps: [{ wp_id: 'WP07', lane: 'for_review', title: null, lamport_clock: 6, node_id: NODE_1, updated_at: at(6) }],
          },
        ],
        node_ids: [NODE_1, NODE_2],
        event_count: 7,
        last_event_at: at(7),
      },
    ]);
  });

  test(t('board: a WPCreated seen after a later status change does not move the lane back'), async (t) => {
    const { storage } = await fresh();
    const team = await storage.ensureTeam('acme');
    await storage.ingest(team.id, [moved('WP01', 'planned', 'doing', 5)], T0);
    await storage.ingest(team.id, [wpCreated('WP01', 'Title', 2)], T0);
    const wp = (await storage.projects(team.id))[0].features[0].wps[0];
    t.like(wp, { lane: 'doing', title: 'Title', lamport_clock: 5 });
  });

  test(t('board: a late older WPStatusChanged never moves a lane back'), async (t) => {
    const { storage } = await fresh();
    const team = await storage.ensureTeam('acme');
    await storage.ingest(team.id, [moved('WP01', 'planned', 'doing', 1), moved('WP01', 'doing', 'for_review', 2), moved('WP01', 'for_review', 'done', 3)], T0);
    // A node that was offline sends an older move, and one at an equal clock from a lower node id.
    const late = await storage.ingest(team.id, [moved('WP01', 'planned', 'doing', 2, { node_id: '000000000000' }), moved('WP01', 'done', 'doing', 3, { node_id: '000000000001' })], T0);
    t.true(late.every((r) => r.status === 'success'));
    const project = (await storage.projects(team.id))[0];
    t.like(project.features[0].wps[0], { lane: 'done', lamport_clock: 3, node_id: NODE_1 });
    t.is(project.event_count, 5);
  });

  test(t('board: a Lamport tie is broken by node id, in either arrival order'), async (t) => {
    const { storage } = await fresh();
    const a = await storage.ensureTeam('a');
    const b = await storage.ensureTeam('b');
    const low = moved('WP01', 'planned', 'doing', 4, { node_id: NODE_1 });
    const high = moved('WP01', 'planned', 'for_review', 4, { node_id: NODE_3 });
    await storage.ingest(a.id, [low, high], T0);
    await storage.ingest(b.id, [high], T0);
    await storage.ingest(b.id, [low], T0);
    for (const team of [a, b]) {
      t.like((await storage.projects(team.id))[0].features[0].wps[0], { lane: 'for_review', lamport_clock: 4, node_id: NODE_3 });
    }
  });

  test(t('board: replaying the same events shuffled (fixed seed) gives an identical board'), async (t) => {
    const { storage } = await fresh();
    const events: IngestEnvelope[] = [
      featureCreated('001-x', 'Old name', 1),
      wpCreated('WP01', 'One', 2),
      wpCreated('WP02', 'Two', 2, { node_id: NODE_2 }),
      moved('WP01', 'planned', 'doing', 3),
      moved('WP02', 'planned', 'doing', 3, { node_id: NODE_2 }),
      moved('WP01', 'doing', 'for_review', 5, { node_id: NODE_2 }),
      moved('WP01', 'doing', 'planned', 5, { node_id: NODE_1 }), // tie: NODE_2 wins
      moved('WP02', 'doing', 'for_review', 6, { node_id: NODE_3 }),
      moved('WP01', 'for_review', 'done', 8, { node_id: NODE_3, project_slug: 'alpha-interim' }),
      moved('WP02', 'for_review', 'doing', 7),
      featureCreated('001-x', 'New name', 9, { node_id: NODE_2 }),
      featureCompleted('001-x', 10, { project_slug: 'alpha-renamed' }),
      moved('WP03', 'planned', 'doing', 4, {}, '002-y'),
      wpCreated('WP03', 'Three', 1, {}, '002-y'),
      ingestEnvelope({ event_type: 'Mystery2x', aggregate_id: 'x', aggregate_type: 'Other', payload: { any: 1 }, lamport_clock: 6, timestamp: '2026-01-01T00:06:30.123456+00:00' }),
      moved('WP01', 'planned', 'doing', 2, { project_uuid: PROJECT_B, project_slug: 'beta' }),
      moved('WP01', 'doing', 'planned', 1, { project_uuid: PROJECT_B, project_slug: 'beta-old', node_id: NODE_3 }),
      moved('WP01', 'planned', 'doing', 11, { project_uuid: null, project_slug: null }),
    ];
    const reference = await storage.ensureTeam('reference');
    await storage.ingest(reference.id, events, T0);
    const expected = await storage.projects(reference.id);
    t.is(expected.length, 2);
    t.like(expected.find((p) => p.project_uuid === PROJECT_A), { project_slug: 'alpha-renamed', event_count: 15 });
    t.like(expected.find((p) => p.project_uuid === PROJECT_B), { project_slug: 'beta' });

    const random = prng(0x5eed);
    for (let round = 0; round < 6; round++) {
      const team = await storage.ensureTeam(`replay-${round}`);
      const order = shuffle(events, random);
      // In batches of random sizes, and with some events sent twice.
      for (let i = 0; i < order.length; ) {
        const size = 1 + Math.floor(random() * 5);
        const batch = order.slice(i, i + size);
        if (random() < 0.3) batch.push(batch[0]);
        await storage.ingest(team.id, batch, T0);
        i += size;
      }
      t.deepEqual(await storage.projects(team.id), expected, `round ${round}: ${order.map((e) => events.indexOf(e)).join(',')}`);
    }
  });

  test(t('board: an unknown event type is stored and counted, and changes nothing else'), async (t) => {
    const { storage } = await fresh();
    const team = await storage.ensureTeam('acme');
    await storage.ingest(team.id, [moved('WP01', 'planned', 'doing', 2)], T0);
    const before = await storage.projects(team.id);
    const unknown = ingestEnvelope({
      event_type: 'MissionOriginBound',
      aggregate_id: 'mission',
      aggregate_type: 'Mission',
      payload: { feature_slug: '001-x', wp_id: 'WP01', new_status: 'done', extra: [1, 2] },
      lamport_clock: 9,
      node_id: NODE_2,
      timestamp: at(9),
    });
    t.deepEqual(await storage.ingest(team.id, [unknown], T0), [{ event_id: unknown.event_id, status: 'success' }]);
    const after = await storage.projects(team.id);
    t.deepEqual(after[0].features, before[0].features);
    t.is(after[0].event_count, 2);
    t.deepEqual(after[0].node_ids, [NODE_1, NODE_2]);
    t.is(after[0].last_event_at, at(9));
    const [stored] = await storage.events(team.id, PROJECT_A, { limit: 1 });
    t.deepEqual(stored.envelope, unknown);
  });

  test(t('board: 2.x timestamps (microseconds, +00:00) come out as ISO Z'), async (t) => {
    const { storage } = await fresh();
    const team = await storage.ensureTeam('acme');
    const { correlation_id: _dropped, ...legacy } = moved('WP01', 'planned', 'doing', 3, { timestamp: '2026-02-03T04:05:06.789123+00:00' });
    const completed = featureCompleted('001-x', 4, { timestamp: '2026-02-03T04:05:07+00:00' });
    const results = await storage.ingest(team.id, [legacy as IngestEnvelope, completed], T0);
    t.true(results.every((r) => r.status === 'success'));
    const [project] = await storage.projects(team.id);
    t.is(project.features[0].wps[0].updated_at, '2026-02-03T04:05:06.789Z');
    t.is(project.features[0].completed_at, '2026-02-03T04:05:07.000Z');
    t.is(project.last_event_at, '2026-02-03T04:05:07.000Z');
    // The events read API gives the envelope as it was received.
    const events = await storage.events(team.id, PROJECT_A, { limit: 5 });
    t.is(events[1].envelope.timestamp, '2026-02-03T04:05:06.789123+00:00');
    t.false('correlation_id' in events[1].envelope);
  });

  test(t('board: the slug follows the latest event, by Lamport clock then node id'), async (t) => {
    const { storage } = await fresh();
    const team = await storage.ensureTeam('acme');
    await storage.ingest(team.id, [moved('WP01', 'planned', 'doing', 5, { project_slug: 'renamed' })], T0);
    await storage.ingest(team.id, [moved('WP02', 'planned', 'doing', 2, { project_slug: 'original' })], T0);
    t.is((await storage.projects(team.id))[0].project_slug, 'renamed');
    await storage.ingest(team.id, [moved('WP02', 'doing', 'for_review', 5, { project_slug: 'tie-low-node', node_id: '000000000000' })], T0);
    t.is((await storage.projects(team.id))[0].project_slug, 'renamed');
    await storage.ingest(team.id, [moved('WP02', 'doing', 'for_review', 5, { project_slug: 'tie-high-node', node_id: NODE_3 })], T0);
    t.is((await storage.projects(team.id))[0].project_slug, 'tie-high-node');
    await storage.ingest(team.id, [moved('WP03', 'planned', 'doing', 6, { project_slug: 'newest' })], T0);
    const projects = await storage.projects(team.id);
    t.is(projects.length, 1);
    t.is(projects[0].project_slug, 'newest');
  });

  // Reads

  test(t('team isolation: projects() and events() never show another team\'s data'), async (t) => {
    const { storage } = await fresh();
    const a = await storage.ensureTeam('acme');
    const b = await storage.ensureTeam('beta');
    await storage.ingest(a.id, [moved('WP01', 'planned', 'doing', 1), moved('WP01', 'planned', 'doing', 1, { project_uuid: PROJECT_B, project_slug: 'b-of-a' })], T0);
    await storage.ingest(b.id, [moved('WP01', 'planned', 'done', 2, { project_slug: 'alpha-of-b' })], T0);
    const aProjects = await storage.projects(a.id);
    const bProjects = await storage.projects(b.id);
    t.deepEqual(aProjects.map((p) => p.project_uuid).sort(), [PROJECT_A, PROJECT_B].sort());
    t.deepEqual(bProjects.map((p) => [p.project_uuid, p.project_slug, p.features[0].wps[0].lane]), [[PROJECT_A, 'alpha-of-b', 'done']]);
    t.like(aProjects.find((p) => p.project_uuid === PROJECT_A)?.features[0].wps[0], { lane: 'doing' });
    t.deepEqual(await storage.events(b.id, PROJECT_B, { limit: 10 }), []);
    const aEvents = await storage.events(a.id, PROJECT_A, { limit: 10 });
    const bEvents = await storage.events(b.id, PROJECT_A, { limit: 10 });
    t.is(aEvents.length, 1);
    t.is(bEvents.length, 1);
    t.not(aEvents[0].envelope.event_id, bEvents[0].envelope.event_id);
    const unknownTeam = Math.max(a.id, b.id) + 100;
    t.deepEqual(await storage.projects(unknownTeam), []);
    t.deepEqual(await storage.events(unknownTeam, PROJECT_A, { limit: 10 }), []);
  });

  test(t('events(): newest first, limit, and pages with before'), async (t) => {
    const { storage } = await fresh();
    const team = await storage.ensureTeam('acme');
    const events = Array.from({ length: 7 }, (_, i) => moved('WP01', 'planned', 'doing', i + 1));
    await storage.ingest(team.id, events.slice(0, 3), T0);
    await storage.ingest(team.id, [moved('WP01', 'planned', 'doing', 1, { project_uuid: PROJECT_B })], T0);
    await storage.ingest(team.id, events.slice(3), T0 + 1);
    const all = await storage.events(team.id, PROJECT_A, { limit: 100 });
    t.deepEqual(all.map((e) => e.envelope.event_id), events.map((e) => e.event_id).reverse());
    for (let i = 1; i < all.length; i++) t.true(all[i - 1].seq > all[i].seq);

    t.deepEqual(await storage.events(team.id, PROJECT_A, { limit: 3 }), all.slice(0, 3));
    const pages: string[] = [];
    let before: number | undefined;
    for (;;) {
      const page = await storage.events(team.id, PROJECT_A, before === undefined ? { limit: 3 } : { limit: 3, before });
      if (page.length === 0) break;
      t.true(page.length <= 3);
      pages.push(...page.map((e) => e.envelope.event_id));
      before = page[page.length - 1].seq;
    }
    t.deepEqual(pages, all.map((e) => e.envelope.event_id));
    t.deepEqual(await storage.events(team.id, PROJECT_A, { limit: 2, before: all[1].seq }), all.slice(2, 4));
    t.deepEqual(await storage.events(team.id, PROJECT_A, { limit: 5, before: all[all.length - 1].seq }), []);
    t.deepEqual(await storage.events(team.id, PROJECT_A, { limit: 0 }), []);
    t.deepEqual(await storage.events(team.id, '99999999-9999-4999-8999-999999999999', { limit: 5 }), []);
    t.is(all[0].receivedAt, T0 + 1);
  });

  // Schema and lifetime

  test(t('migrate: twice on one storage, and two storages migrating one database at once'), async (t) => {
    const { storage, open } = await fresh();
    await t.notThrowsAsync(storage.migrate());
    const team = await storage.ensureTeam('acme');

    const other = await newDatabase();
    const [x, y] = await Promise.all([other(), other()]);
    opened.push(x, y);
    await t.notThrowsAsync(Promise.all([x.migrate(), y.migrate()]));
    const made = await x.ensureTeam('shared');
    t.deepEqual(await y.ensureTeam('shared'), made);

    const third = await connect(open);
    t.deepEqual((await third.listTeams()).map((t) => t.slug), ['acme']);
    t.is(team.slug, 'acme');
  });

  test(t('restart: close and reopen keeps accounts, tokens, events and the board'), async (t) => {
    const { storage, open } = await fresh();
    const team = await storage.ensureTeam('acme');
    const user = await storage.addUser('ada', team.id, 'scrypt$x', T0);
    const stored = token({ userId: user.id, expiresAt: T0 + HOUR });
    await storage.putToken(stored);
    await storage.useToken(stored.hash, T0);
    const events = [featureCreated('001-x', 'X', 1), wpCreated('WP01', 'One', 2), moved('WP01', 'planned', 'doing', 3)];
    await storage.ingest(team.id, events, T0);
    const board = await storage.projects(team.id);
    const log = await storage.events(team.id, PROJECT_A, { limit: 10 });
    await storage.close();

    const reopened = await connect(open);
    t.deepEqual(await reopened.listTeams(), [{ ...team, users: 1 }]);
    t.deepEqual(await reopened.findUser('ada'), user);
    t.deepEqual(await reopened.findToken(stored.hash), { ...stored, usedAt: T0 });
    t.deepEqual(await reopened.projects(team.id), board);
    t.deepEqual(await reopened.events(team.id, PROJECT_A, { limit: 10 }), log);
    t.deepEqual(
      (await reopened.ingest(team.id, events, T0)).map((r) => r.status),
      ['duplicate', 'duplicate', 'duplicate'],
    );
    // New events go after the old ones.
    const next = moved('WP01', 'doing', 'for_review', 4);
    await reopened.ingest(team.id, [next], T0);
    const [newest] = await reopened.events(team.id, PROJECT_A, { limit: 1 });
    t.is(newest.envelope.event_id, next.event_id);
    t.true(newest.seq > log[0].seq);
  });
}

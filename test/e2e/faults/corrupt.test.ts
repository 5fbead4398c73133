import test from 'ava';
import { closeSync, openSync, readFileSync, readdirSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { withLock } from '../../../lib/lock.js';
import { nameUuid } from '../../../services/identity/name-uuid.js';
import { checkDamage } from '../chaos/invariants.js';
import {
  assertConsistent, audit, checkout, countStates, drainerPids, drainersDone, finalSync, machine, queueOf, seedEvents, start, startHub, waitFor,
} from './helpers.js';

test('a damaged queue.db: the salvage keeps every unsent event, and after sync now the hub has every event once', async (t) => {
  const hub = await startHub(t);
  const m = machine(t, 'damaged-queue');
  await m.login(hub.url);
  const c = await checkout(m, 'git@github.com:acme/damaged-queue.git');
  // Old, sent events fill the first pages of the table.
  await seedEvents(c, 300);
  await c.ok('feature', 'create', 'Before');
  await finalSync(m, { cwd: c.repo });
  // New events wait, unsent (no sync in these commands).
  for (const args of [['wp', 'add', '1', 'Waiting'], ['implement', 'WP01'], ['review', 'WP01']]) await m.ok(args, c.repo, { SPEC_KITTY_SYNC: 'off' });
  await drainersDone(m);
  const before = await queueOf(m);
  t.deepEqual(countStates(before), { sent: 301, pending: 3 });

  // A page of sent events is overwritten (a bad sector, a torn write) while nothing has the file open.
  const file = join(m.home, 'queue.db');
  t.deepEqual(readdirSync(m.home).filter((f) => f.startsWith('queue.db-')), [], 'no WAL left: every connection closed');
  const bytes = readFileSync(file);
  const pageSize = bytes.readUInt16BE(16);
  const page = damagePageOf(file, before[20].envelope.event_id);
  for (const row of before.filter((r) => r.state === 'pending')) {
    t.not(Math.floor(bytes.indexOf(`"event_id":"${row.envelope.event_id}"`) / pageSize), page, 'the damaged page holds no unsent event');
  }

  // The next command that reads the page salvages the queue (here `sync queue`, run while no
  // other process has the file open: see the last test below for a process that has it open).
  const listed = await m.run(['sync', 'queue', '--json', '--limit', '0'], c.repo);
  t.is(listed.code, 0, listed.stderr);
  const m1 = /was damaged \(database disk image is malformed\): (\d+) event\(s\) were salvaged into a new queue and (\d+) could not be read/.exec(listed.stderr);
  t.truthy(m1, `the salvage is reported:\n${listed.stderr}`);
  const [saved, unreadable] = [Number(m1?.[1]), Number(m1?.[2])];
  t.true(readdirSync(m.home).some((f) => /^queue\.db\.corrupt-/.test(f)), 'the damaged file is kept aside');
  // Work goes on, with the background drainer.
  await c.ok('wp', 'add', '1', 'After the damage');
  await finalSync(m, { cwd: c.repo });

  const after = await queueOf(m);
  const kept = new Set(after.map((r) => r.envelope.event_id));
  const gone = before.filter((r) => !kept.has(r.envelope.event_id));
  t.log(`queue.db page ${page} of ${bytes.length / pageSize} overwritten: ${saved} event(s) salvaged, ${unreadable} unreadable (${gone.length} of them known before), all of those already sent`);
  t.is(gone.length, unreadable);
  t.deepEqual(gone.map((r) => r.state), gone.map(() => 'sent'), 'only sent events were on the damaged page');
  // The events the damaged page took are on the hub already: the audit counts them as emitted.
  const f = await audit(hub, [m], gone.map((r) => r.envelope.event_id));
  assertConsistent(t, 'damaged queue.db', f, 301 + 3 + 1);
});

test('a broken config.yaml (bad YAML, then binary garbage): kept aside, the same uuid recovered or derived, every event on the hub under it', async (t) => {
  const hub = await startHub(t);
  const m = machine(t, 'broken-config');
  await m.login(hub.url);
  const c = await checkout(m, 'git@github.com:acme/broken-config.git');
  const { uuid } = c.identity();
  t.is(uuid, nameUuid('spec-kitty project origin github.com/acme/broken-config'));
  await c.ok('feature', 'create', 'Config');
  const config = join(c.repo, '.kittify', 'config.yaml');

  writeFileSync(config, readFileSync(config, 'utf8').replace(/node_id: .*/, 'node_id: [unclosed'));
  const bad = await c.run('wp', 'add', '1', 'YAML');
  t.is(bad.code, 0, bad.stderr);
  t.regex(bad.stderr, /config\.yaml:\d+:\d+: not valid YAML .*kept it as .*config\.yaml\.corrupt-\S+, recovered project uuid/);
  t.is(c.identity().uuid, uuid);

  writeFileSync(config, Buffer.from([0, 1, 2, 0xff, 0xfe, 10, 0x7b, 0x7b]));
  const garbage = await c.run('implement', 'WP01');
  t.is(garbage.code, 0, garbage.stderr);
  t.regex(garbage.stderr, /found no project uuid in it \(now \S+, derived from the repository origin github\.com\/acme\/broken-config\)/);
  t.is(c.identity().uuid, uuid);
  t.is(readdirSync(join(c.repo, '.kittify')).filter((f) => f.startsWith('config.yaml.corrupt-')).length, 2, 'both broken files kept aside');

  await finalSync(m);
  const f = await audit(hub, [m]);
  assertConsistent(t, 'broken config.yaml', f, 3);
  for (const e of f.byId.values()) t.is(e.project_uuid, uuid);
  t.is((await hub.reader.projects()).length, 1, 'one project');
});

test('a corrupt credentials.json: commands work and warn, events queue as "local", no drainer; auth login replaces it and sync now sends everything', async (t) => {
  const hub = await startHub(t);
  const m = machine(t, 'broken-login');
  await m.login(hub.url);
  const c = await checkout(m, 'git@github.com:acme/broken-login.git');
  await c.ok('feature', 'create', 'Creds');
  await drainersDone(m);
  writeFileSync(join(m.home, 'credentials.json'), '{"version":1,"hub_url":"http://127.0.0.1:1","access_tok');
  for (const args of [['wp', 'add', '1', 'Token'], ['implement', 'WP01']]) {
    const r = await c.run(...args);
    t.is(r.code, 0, r.stderr);
    t.regex(r.stderr, /^warning: cannot read the stored login: .*credentials\.json: not valid JSON .*Events are attributed to team "local"; log in again to replace the file\.\n$/);
    t.deepEqual(drainerPids(m.home), []);
  }
  const status = await m.run(['auth', 'status', '--json'], c.repo);
  t.like(JSON.parse(status.stdout), { logged_in: false, team_slug: 'local' });
  const stuck = await c.run('sync', 'now', '--json');
  t.is(stuck.code, 1);
  t.like(JSON.parse(stuck.stdout), { logged_in: false, sent: 0, left: 2 });
  t.deepEqual((await queueOf(m)).map((r) => `${r.state} ${r.envelope.team_slug}`), ['sent acme', 'pending local', 'pending local']);

  await m.login(hub.url);
  const now = await c.run('sync', 'now', '--json');
  t.is(now.code, 0, now.stderr);
  t.like(JSON.parse(now.stdout), { logged_in: true, sent: 2, left: 0 });
  await finalSync(m);
  const f = await audit(hub, [m]);
  assertConsistent(t, 'corrupt credentials.json', f, 3);
  for (const e of f.byId.values()) t.is(e.team_slug, 'acme');
});

// A process that opened queue.db before another process salvaged it must not go on writing into
// the damaged file, which the salvage moved aside (SQLite in WAL mode does not refuse writes to a
// renamed file). Here `accept` moves WP01, waits for WP02's lock with the queue open, and
// meanwhile `sync queue` salvages the queue: accept's next events (WP02 → done,
// FeatureCompleted) must be in the live queue. QueueDatabase checks at each run that queue.db is
// still the file it opened, and the salvage fences the old file against writes that race the swap
// (services/user-db/queue-database.ts, swap-fence.ts).
test('a command holding the queue open while another process salvages it: its later events are in the live queue, not in the file kept aside', async (t) => {
  const m = machine(t, 'salvage-race');
  const c = await checkout(m, 'git@github.com:acme/salvage-race.git');
  const off = { SPEC_KITTY_SYNC: 'off' };
  await seedEvents(c, 300);
  await m.ok(['feature', 'create', 'Race'], c.repo, off);
  for (const title of ['One', 'Two']) await m.ok(['wp', 'add', '1', title], c.repo, off);
  for (const wp of ['WP01', 'WP02']) for (const lane of ['implement', 'review']) await m.ok([lane, wp], c.repo, off);
  const before = await queueOf(m);
  const tasks = join(c.repo, 'kitty-specs', '001-race', 'tasks');
  const wp02 = join(tasks, readdirSync(tasks).find((f) => f.startsWith('WP02'))!);

  // This test holds WP02's lock (as another command would) until the salvage is done.
  let release!: () => void;
  const released = new Promise<void>((resolve) => { release = resolve; });
  let taken!: () => void;
  const isTaken = new Promise<void>((resolve) => { taken = resolve; });
  const holder = withLock(wp02, { staleMs: 15_000 }, async () => { taken(); await released; });
  t.teardown(() => release());
  await isTaken;
  const accept = start(['accept'], { cwd: c.repo, home: m.home, env: off });
  t.teardown(() => { accept.kill('SIGKILL'); });
  let stderr = '';
  accept.stderr!.on('data', (d) => { stderr += d; });
  const acceptDone = new Promise<number | null>((resolve) => accept.on('close', (code) => resolve(code)));
  await waitFor('accept to wait for WP02', () => /waiting for another spec-kitty command .*WP02/.test(stderr), { timeoutMs: 20_000 });

  damagePageOf(join(m.home, 'queue.db'), before[20].envelope.event_id);
  const listed = await m.run(['sync', 'queue', '--json', '--limit', '0'], c.repo);
  t.regex(listed.stderr, /was damaged .* salvaged into a new queue/);
  release();
  await holder;
  t.is(await acceptDone, 0, stderr);

  const damage = await checkDamage(c.repo, m.home);
  t.log(`after accept: ${JSON.stringify(damage)}`);
  t.deepEqual(damage.problems, [], 'every change on disk has its event in the live queue');
  t.like(damage, { lost: 0, phantom: 0, duplicated: 0 });
});

/** Overwrites the page of queue.db that holds the event `eventId` (nothing may have the file open). */
function damagePageOf(file: string, eventId: string): number {
  const bytes = readFileSync(file);
  const pageSize = bytes.readUInt16BE(16);
  const page = Math.floor(bytes.indexOf(`"event_id":"${eventId}"`) / pageSize);
  if (page < 2) throw new Error(`event ${eventId} not found in a table page of ${file}`);
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.alloc(pageSize, 0x5a), 0, pageSize, page * pageSize);
  closeSync(fd);
  return page;
}

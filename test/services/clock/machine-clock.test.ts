import test from 'ava';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { QueueDatabase } from '../../../services/user-db/queue-database.js';
import { machineNodeId } from '../../../services/clock/node-id.js';
import { CLOCK_BLOCK, CLOCK_FILE } from '../../../services/clock/ceiling.js';
import { testClock, testStore } from '../../helpers/services.js';
import { damagePages, insertRow, pagesOf, seedQueue } from '../user-db/queue-rows.js';
import { tempDir } from '../../helpers/cli.js';
import { captureLogger, raceScripts, runScript } from '../../helpers/identity.js';

const options = (home: string) => ({ cwd: home, home, verbose: false });

test('node_id is the first 12 hex chars of SHA-256 of hostname:username', (t) => {
  const expected = createHash('sha256').update(`${hostname()}:${userInfo().username}`).digest('hex').slice(0, 12);
  t.is(machineNodeId(), expected);
  t.regex(expected, /^[0-9a-f]{12}$/);
  t.is(testClock(tempDir(), captureLogger().logger).nodeId, expected);
});

test('node_id is remembered in $SPEC_KITTY_HOME/node-id with the name it was derived from, and used while that name matches', (t) => {
  const home = tempDir();
  const name = `${hostname()}:${userInfo().username}`;
  const derived = machineNodeId();
  t.is(machineNodeId(home), derived);
  t.is(readFileSync(join(home, 'node-id'), 'utf8'), `${derived}\n${name}\n`);
  // A remembered id is used as it is: the hash (and node:crypto) is not needed again.
  writeFileSync(join(home, 'node-id'), `abcdefabcdef\n${name}\n`);
  t.is(machineNodeId(home), 'abcdefabcdef');
});

test('a node-id file for another host or user, or a damaged one, is derived anew and rewritten', (t) => {
  const home = tempDir();
  const derived = machineNodeId();
  for (const stale of ['abcdefabcdef\nother-host:someone\n', 'not an id\n' + `${hostname()}:${userInfo().username}\n`, '']) {
    writeFileSync(join(home, 'node-id'), stale);
    t.is(machineNodeId(home), derived);
    t.true(readFileSync(join(home, 'node-id'), 'utf8').startsWith(`${derived}\n`));
  }
});

test('a read-only home still gets the derived node_id, and no file is left behind', (t) => {
  const home = join(tempDir(), 'home');
  writeFileSync(home, 'a file where the folder should be');
  t.is(machineNodeId(home), machineNodeId());
  t.is(readFileSync(home, 'utf8'), 'a file where the folder should be');
});

test('building the clock touches nothing; the first tick creates $SPEC_KITTY_HOME (0700) and queue.db, where the clock lives', (t) => {
  const home = join(tempDir(), 'nested', 'home');
  const clock = testClock(home, captureLogger().logger);
  t.false(existsSync(home));
  t.is(clock.tick(), 1);
  t.true(existsSync(join(home, 'queue.db')));
  t.is(statSync(home).mode & 0o777, 0o700);
  clock.close();
});

test('ticks continue where the last process left off', (t) => {
  const home = tempDir();
  const a = testStore(home, captureLogger().logger);
  t.deepEqual([a.tick(), a.tick(), a.tick()], [1, 2, 3]);
  a.close();
  const b = testStore(home, captureLogger().logger);
  t.is(b.tick(), 4);
  b.close();
});

test('witness(remote) gives max(local, remote) + 1 and never goes backwards', (t) => {
  const clock = testStore(tempDir(), captureLogger().logger);
  clock.tick();
  t.is(clock.witness(41), 42);
  t.is(clock.tick(), 43);
  t.is(clock.witness(5), 44);
  t.throws(() => clock.witness(-1), { instanceOf: RangeError });
  clock.close();
});

test('a corrupt queue.db is kept aside with a warning and the clock restarts above every value it handed out', (t) => {
  const home = tempDir();
  const before = testStore(home, captureLogger().logger);
  const used = [before.tick(), before.tick(), before.tick()];
  before.close();
  writeFileSync(join(home, 'queue.db'), 'this is not a database, it is a broken file '.repeat(200));
  for (const side of ['-wal', '-shm']) rmSync(join(home, `queue.db${side}`), { force: true });
  const { logger, lines } = captureLogger();
  const clock = testStore(home, logger);
  const first = clock.tick();
  t.true(first > Math.max(...used), `restarted at ${first} after ${used.join(', ')}`);
  t.is(first, ceilingOf(home) - CLOCK_BLOCK, 'right above the old ceiling, which it then raised');
  t.is(clock.tick(), first + 1);
  clock.close();
  const aside = readdirSync(home).filter((f) => f.startsWith('queue.db.corrupt-') && !/-(wal|shm)$/.test(f));
  t.is(aside.length, 1);
  t.is(lines.length, 1);
  t.regex(lines[0], /^warning: the offline queue .*queue\.db was damaged .*moved aside to .*queue\.db\.corrupt-/);
});

test('an unusable $SPEC_KITTY_HOME gives an error that says what to check', (t) => {
  const file = join(tempDir(), 'not-a-folder');
  writeFileSync(file, '');
  const clock = testStore(file, captureLogger().logger);
  const err = t.throws(() => clock.tick());
  t.is(err?.name, 'UserError');
  t.regex(err!.message, /SPEC_KITTY_HOME .* is a writable folder/);
});

test('8 processes x 100 ticks on one home give 800 distinct values, each process strictly increasing', async (t) => {
  const home = join(tempDir(), 'home');
  mkdirSync(home);
  const runs = Array.from({ length: 8 }, () => runScript('test/services/clock/fixtures/tick.ts', [home, '100']));
  const results = await raceScripts(runs);
  for (const r of results) t.is(r.code, 0, r.stderr);
  const all = results.flatMap((r) => r.result as number[]);
  t.is(all.length, 800);
  t.is(new Set(all).size, 800);
  t.deepEqual([...all].sort((a, b) => a - b), Array.from({ length: 800 }, (_, i) => i + 1));
  for (const r of results) {
    const values = r.result as number[];
    t.true(values.every((v, i) => i === 0 || v > values[i - 1]));
  }
});

test('in the container the clock and the queue share one database file and connection', async (t) => {
  const { closeServices, createServices } = await import('../../../cli/composition-root.js');
  const { TOKENS } = await import('../../../core/tokens.js');
  const home = join(tempDir(), 'home');
  const c = createServices({ ...options(home), logger: captureLogger().logger });
  const clock = c.get(TOKENS.Clock);
  const queue = c.get(TOKENS.PersistQueue);
  t.is(clock.tick(), 1);
  t.is(await queue.countPending(), 0);
  t.deepEqual(readdirSync(home).filter((f) => f.endsWith('.db')), ['queue.db']);
  closeServices(c);
});

test('a queue.db repaired by a process that never ticks still restarts the clock above every old value for the next one', (t) => {
  const home = tempDir();
  const before = testStore(home, captureLogger().logger);
  t.deepEqual([before.tick(), before.tick()], [1, 2]);
  before.close();
  writeFileSync(join(home, 'queue.db'), 'this is not a database, it is a broken file '.repeat(200));
  for (const side of ['-wal', '-shm']) rmSync(join(home, `queue.db${side}`), { force: true });
  // A reader (`sync status`, say) finds the damage and replaces the file.
  const reader = new QueueDatabase({ home: home }, captureLogger().logger);
  reader.run((db) => db.prepare('SELECT count(*) FROM events').get());
  reader.close();
  const after = testStore(home, captureLogger().logger);
  t.true(after.tick() > 2);
  after.close();
});

const ceilingOf = (home: string) => Number(readFileSync(join(home, CLOCK_FILE), 'utf8'));
const removeQueue = (home: string) => {
  for (const side of ['', '-wal', '-shm']) rmSync(join(home, `queue.db${side}`), { force: true });
};

test('deleting queue.db (and its -wal/-shm): the next tick is above every value this machine used', (t) => {
  const home = tempDir();
  const a = testStore(home, captureLogger().logger);
  const used = [a.tick(), a.tick(), a.witness(2500), a.tick()];
  t.deepEqual(used, [1, 2, 2501, 2502]);
  a.close();
  removeQueue(home);
  const b = testStore(home, captureLogger().logger);
  const next = b.tick();
  t.true(next > 2502, `restarted at ${next}`);
  t.is(b.tick(), next + 1);
  b.close();
  // Again, right after a fresh start: the restart raised the ceiling before handing out `next`.
  removeQueue(home);
  const c = testStore(home, captureLogger().logger);
  t.true(c.tick() > next + 1);
  c.close();
});

test('the ceiling file is written once per block of ticks, not per tick, and always stays at or above the clock', (t) => {
  const home = tempDir();
  const clock = testStore(home, captureLogger().logger);
  const seen = new Set<number>();
  for (let i = 1; i <= 2500; i++) {
    const v = clock.tick();
    const ceiling = ceilingOf(home);
    t.true(v <= ceiling, `tick ${v} above the ceiling ${ceiling}`);
    seen.add(ceiling);
  }
  clock.close();
  t.deepEqual([...seen], [1 + CLOCK_BLOCK, 1002 + CLOCK_BLOCK, 2003 + CLOCK_BLOCK], 'three writes for 2500 ticks');
});

test('a queue.db from before the ceiling file keeps its clock, and gets a ceiling at its first tick', (t) => {
  const home = tempDir();
  const db = new QueueDatabase({ home }, captureLogger().logger);
  db.run((d) => d.prepare(`INSERT INTO clock (name, value) VALUES ('lamport', 4000)`).run());
  db.close();
  t.false(existsSync(join(home, CLOCK_FILE)));
  const clock = testStore(home, captureLogger().logger);
  t.is(clock.tick(), 4001);
  clock.close();
  t.is(ceilingOf(home), 4001 + CLOCK_BLOCK);
});

test('a salvaged queue.db restarts above the clock value it salvaged, even without a ceiling file', (t) => {
  const home = join(tempDir(), 'home');
  seedQueue(home, 50, 7000);
  const file = join(home, 'queue.db');
  const { pages, pageSize } = pagesOf(file, 'events_by_aggregate');
  damagePages(file, pages, pageSize);
  // The ordinary path goes through the index, finds the damage and salvages; the clock is read from the new file.
  const reader = new QueueDatabase({ home }, captureLogger().logger);
  reader.run((db) => insertRow(db, { event_id: 'x' }));
  reader.close();
  const clock = testStore(home, captureLogger().logger);
  t.is(clock.tick(), 7001);
  clock.close();
});

test('4 processes x 600 ticks across two ceiling raises: 2400 distinct values, all at or below the ceiling', async (t) => {
  const home = join(tempDir(), 'home');
  mkdirSync(home);
  const runs = Array.from({ length: 4 }, () => runScript('test/services/clock/fixtures/tick.ts', [home, '600']));
  const results = await raceScripts(runs);
  for (const r of results) t.is(r.code, 0, r.stderr);
  const all = results.flatMap((r) => r.result as number[]);
  t.deepEqual([...all].sort((a, b) => a - b), Array.from({ length: 2400 }, (_, i) => i + 1));
  t.true(ceilingOf(home) >= 2400);
  removeQueue(home);
  const after = testStore(home, captureLogger().logger);
  t.true(after.tick() > 2400);
  after.close();
});

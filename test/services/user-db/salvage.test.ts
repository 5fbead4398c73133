import test from 'ava';
import Database from 'better-sqlite3';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { QueueDatabase } from '../../../services/user-db/queue-database.js';
import { tempDir } from '../../helpers/cli.js';
import { raceScripts, runScript } from '../../helpers/identity.js';
import { damagePages, insertRow, pagesOf, quietLogger, readRows, seedQueue, type Row } from './queue-rows.js';

const N = 300;
const home = () => join(tempDir('sk-salvage-'), 'home');
const asideMain = (dir: string) => readdirSync(dir).filter((f) => /^queue\.db\.corrupt-[^.]*$/.test(f) && !/-(wal|shm)$/.test(f));
const clockRows = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return Object.fromEntries((db.prepare('SELECT name, value FROM clock').all() as Array<{ name: string; value: number }>).map((r) => [r.name, r.value]));
  } finally {
    db.close();
  }
};

test('damage that spares the events table (an index): all n rows salvaged with every column, in seq order, and nothing lost', (t) => {
  const dir = home();
  const file = join(dir, 'queue.db');
  const before = seedQueue(dir, N);
  const { pages, pageSize } = pagesOf(file, 'events_by_aggregate');
  t.true(pages.length > 1);
  damagePages(file, pages, pageSize);
  const damaged = readFileSync(file);

  const { logger, lines } = quietLogger();
  const database = new QueueDatabase({ home: dir }, logger);
  // The open does not touch that index; the next insert does, and finds the damage mid-run.
  database.run((db) => insertRow(db, { event_id: 'after-salvage' }));
  const after = database.run((db) => db.prepare('SELECT * FROM events ORDER BY seq').all() as Row[]);
  database.close();

  t.deepEqual(after.slice(0, N), before, 'n rows in, the same n rows out, every column');
  t.is(after.length, N + 1);
  t.like(after[N], { event_id: 'after-salvage', seq: N + 1 });
  t.is(lines.length, 1);
  t.regex(lines[0], new RegExp(`^warning: the offline queue ${file} was damaged \\(database disk image is malformed\\): ${N} event\\(s\\) were salvaged into a new queue, and none was lost\\. The damaged file was moved aside to ${file}\\.corrupt-\\S+; keep it to inspect, or delete it\\.$`));
  const aside = asideMain(dir);
  t.is(aside.length, 1);
  t.deepEqual(readFileSync(join(dir, aside[0])), damaged, 'the damaged file is kept byte for byte');
  t.like(clockRows(file), { lamport_salvaged: 5000 }, 'the machine clock\'s value is taken too');
  const db = new Database(file, { readonly: true });
  t.deepEqual(db.prepare('SELECT key, value FROM meta').all(), [{ key: 'last_prune_at', value: '123' }]);
  t.is(db.pragma('integrity_check', { simple: true }), 'ok');
  db.close();
});

test('damage in the middle of the events table: every readable row is salvaged, and the unreadable ones are counted', (t) => {
  const dir = home();
  const file = join(dir, 'queue.db');
  const before = seedQueue(dir, N);
  const { pages, pageSize } = pagesOf(file, 'events');
  t.true(pages.length > 20, `the table spans ${pages.length} pages`);
  const middle = Math.floor(pages.length / 2);
  damagePages(file, pages.slice(middle, middle + 3), pageSize);

  const { logger, lines } = quietLogger();
  const database = new QueueDatabase({ home: dir }, logger);
  const after = database.run((db) => db.prepare('SELECT * FROM events ORDER BY seq').all() as Row[]);
  database.close();

  const bySeq = new Map(before.map((r) => [r.seq, r]));
  t.true(after.length > 0 && after.length < N, `${after.length} of ${N} salvaged`);
  for (const r of after) t.deepEqual(r, bySeq.get(r.seq), `row ${String(r.seq)} is copied exactly`);
  t.deepEqual(after.map((r) => r.seq), [...after.map((r) => r.seq as number)].sort((a, b) => a - b));
  t.is(new Set(after.map((r) => r.event_id)).size, after.length);
  // The rows before and after the damaged pages are all there: only the damaged pages' rows are missing.
  const missing = before.filter((r) => !after.some((a) => a.seq === r.seq)).map((r) => r.seq as number);
  t.is(missing.at(-1)! - missing[0] + 1, missing.length, 'the missing rows are one contiguous run, the damaged pages\'');
  t.is(lines.length, 1);
  t.regex(lines[0], new RegExp(`: ${after.length} event\\(s\\) were salvaged into a new queue and ${N - after.length} could not be read\\. The damaged file was moved aside to `));
  // The next event takes a seq above every old one, even the lost ones'.
  const again = new QueueDatabase({ home: dir }, quietLogger().logger);
  again.run((db) => insertRow(db, { event_id: 'next' }));
  t.is(again.run((db) => (db.prepare(`SELECT seq FROM events WHERE event_id = 'next'`).get() as { seq: number }).seq), N + 1);
  again.close();
});

test('a file that is not a database at all: nothing can be read, the message says so, the bytes are kept', (t) => {
  const dir = home();
  mkdirSync(dir, { recursive: true });
  const garbage = Buffer.from('not SQLite, a shopping list\n'.repeat(300));
  const file = join(dir, 'queue.db');
  writeFileSync(file, garbage);
  const { logger, lines } = quietLogger();
  const database = new QueueDatabase({ home: dir }, logger);
  t.is(database.run((db) => (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n), 0);
  database.close();
  t.regex(lines[0], /was damaged \(file is not a database\): none of its events could be read\. The damaged file was moved aside to /);
  t.deepEqual(readFileSync(join(dir, asideMain(dir)[0])), garbage);
  t.deepEqual(readdirSync(dir).filter((f) => f.startsWith('queue.db.corrupt-')).length, 1, 'no empty -wal/-shm made by reading it');
});

test('4 processes find the damaged file at once: one salvages, every one ends on the new file, no row lost or doubled', async (t) => {
  const dir = home();
  const file = join(dir, 'queue.db');
  const before = seedQueue(dir, N);
  const { pages, pageSize } = pagesOf(file, 'events_by_state');
  damagePages(file, pages, pageSize);
  const runs = Array.from({ length: 4 }, () => runScript('test/services/user-db/fixtures/open.ts', [dir, 'race']));
  const results = await raceScripts(runs);
  for (const r of results) t.is(r.code, 0, r.stderr);
  for (const r of results) t.falsy(r.result?.error, JSON.stringify(r.result));
  const logs = results.flatMap((r) => r.result.log as string[]);
  t.is(logs.filter((l) => /salvaged/.test(l)).length, 1, logs.join('\n'));
  t.is(asideMain(dir).length, 1);
  const after = readRows(file);
  t.deepEqual(after.slice(0, N), before);
  t.deepEqual(after.slice(N).map((r) => r.event_id).sort(), runs.map((r) => `child-${r.child.pid}`).sort());
});

import test from 'ava';
import Database from 'better-sqlite3';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { envelope, openTestQueue } from '../queue/queue-fixtures.js';

const GARBAGE = Buffer.from('this is not a database, it is a shopping list: milk, eggs, flour\n'.repeat(200));

const asideFiles = (home: string) => readdirSync(home).filter((f) => f.startsWith('queue.db.corrupt-'));

test('garbage in queue.db: nothing in it is readable, so it is moved aside with a message, a new queue is made and the event queued', async (t) => {
  const { queue, home, log } = openTestQueue();
  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, 'queue.db'), GARBAGE);
  const e = envelope();
  t.true((await queue.enqueue(e, 'pending')).inserted);

  const aside = asideFiles(home);
  t.is(aside.length, 1);
  t.deepEqual(readFileSync(join(home, aside[0])), GARBAGE, 'nothing of the old file is destroyed');
  t.is(log.length, 1);
  t.regex(log[0], /was damaged \(file is not a database\): none of its events could be read\. The damaged file was moved aside to .*queue\.db\.corrupt-/);
  t.deepEqual((await queue.list()).events.map((x) => x.event_id), [e.event_id]);
  queue.close();
});

test('damage past a valid header (SQLITE_CORRUPT at the first statement) is recovered the same way, saving what can be read', async (t) => {
  const { queue, home, log } = openTestQueue();
  for (let i = 0; i < 200; i++) await queue.enqueue(envelope(), 'pending');
  queue.close();
  const file = join(home, 'queue.db');
  const db = new Database(file);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  // Keep the 100-byte header (so it still opens) and overwrite the pages behind it.
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.alloc(64 * 1024, 0xab), 0, 64 * 1024, 100);
  closeSync(fd);

  const reopened = openTestQueue(home);
  const e = envelope();
  t.true((await reopened.queue.enqueue(e, 'pending')).inserted);
  t.is(asideFiles(home).length, 1);
  // The first 64 KiB hold the schema: no table can be found, so nothing can be salvaged.
  t.regex(reopened.log.join('\n'), /was damaged \(.*\): none of its events could be read\. The damaged file was moved aside to /);
  t.deepEqual((await reopened.queue.list()).events.map((x) => x.event_id), [e.event_id]);
  t.is(log.length, 0);
  reopened.queue.close();
});

test('a healthy file is never moved aside', async (t) => {
  const { queue, home, log } = openTestQueue();
  await queue.enqueue(envelope(), 'pending');
  queue.close();
  const again = openTestQueue(home);
  await again.queue.enqueue(envelope(), 'pending');
  t.is((await again.queue.list()).total, 2);
  t.deepEqual(asideFiles(home), []);
  t.deepEqual([...log, ...again.log], []);
  again.queue.close();
});

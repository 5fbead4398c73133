import test from 'ava';
import Database from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LamportStore } from '../../../services/clock/lamport-store.js';
import { QueueDatabase } from '../../../services/user-db/queue-database.js';
import { MOVED_ASIDE } from '../../../services/user-db/swap-fence.js';
import { tempDir } from '../../helpers/cli.js';
import { runScript } from '../../helpers/identity.js';
import { damagePages, insertRow, pagesOf, quietLogger, readRows, seedQueue } from './queue-rows.js';

// A process (a command waiting for a lock, a drainer mid-batch) holds queue.db open while another
// salvages it: its later writes must land in the live queue.db, never in the file kept aside.

const N = 60;
const home = () => join(tempDir('sk-swap-'), 'home');
const asideMain = (dir: string) => readdirSync(dir).filter((f) => /^queue\.db\.corrupt-[^.]*$/.test(f) && !/-(wal|shm)$/.test(f));
const errorOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error as { code?: string; message?: string };
  }
  return undefined;
};
const ids = (file: string) => readRows(file).map((r) => r.event_id as string);

/** queue.db in `dir` with N rows and a damaged index, which the next insert runs into. */
function damagedQueue(dir: string) {
  const file = join(dir, 'queue.db');
  const before = seedQueue(dir, N);
  return {
    file,
    before,
    damage() {
      const { pages, pageSize } = pagesOf(file, 'events_by_aggregate');
      damagePages(file, pages, pageSize);
      return readFileSync(file);
    },
  };
}

/** Another QueueDatabase (another process, as far as SQLite's locks go) finds the damage and salvages. */
function salvageByAnother(dir: string): string[] {
  const { logger, lines } = quietLogger();
  const other = new QueueDatabase({ home: dir }, logger);
  other.run((db) => insertRow(db, { event_id: 'by-the-salvager' }));
  other.close();
  return lines;
}

test('another process holds queue.db open across the salvage: its next write goes to the live queue.db, not to the file kept aside', async (t) => {
  const dir = home();
  const q = damagedQueue(dir);
  const holder = runScript('test/services/user-db/fixtures/open.ts', [dir, 'hold']);
  await holder.ready; // it has the file open
  const damaged = q.damage();
  const lines = salvageByAnother(dir);
  t.regex(lines.join('\n'), /salvaged into a new queue/);
  holder.go();
  const r = await holder.done;
  t.is(r.code, 0, r.stderr);
  t.falsy(r.result?.error, JSON.stringify(r.result));

  const live = ids(q.file);
  t.deepEqual(live.slice(0, N), q.before.map((row) => row.event_id));
  t.deepEqual(live.slice(N), ['by-the-salvager', `child-${holder.child.pid}`], 'the holder\'s event is in the live queue');
  const aside = asideMain(dir);
  t.is(aside.length, 1);
  t.false(ids(join(dir, aside[0])).includes(`child-${holder.child.pid}`), 'and not in the file kept aside');
  t.deepEqual(readFileSync(join(dir, aside[0])), damaged, 'the damaged file is kept byte for byte');
});

test('a connection left open across the salvage: its inserts, its updates (markSent) and the clock all go to the live file', (t) => {
  const dir = home();
  const q = damagedQueue(dir);
  const { logger } = quietLogger();
  const held = new QueueDatabase({ home: dir }, logger);
  const clock = new LamportStore(held);
  const pendingId = q.before.find((r) => r.state === 'pending')!.event_id as string;
  held.run((db) => db.prepare('SELECT count(*) FROM events').get());
  q.damage();
  salvageByAnother(dir);

  t.deepEqual(held.run((db) => db.prepare(`SELECT count(*) AS n FROM events WHERE event_id = 'by-the-salvager'`).get()), { n: 1 }, 'it reads the live file too');
  held.run((db) => insertRow(db, { event_id: 'late', state: 'pending' }));
  const marked = held.run((db) => db.prepare(`UPDATE events SET state = 'sent', sent_at = 1 WHERE event_id = ? AND state = 'pending'`).run(pendingId).changes);
  t.is(marked, 1);
  const tick = clock.tick();
  t.true(tick > 5000, 'the clock goes on above the salvaged value');
  held.close();

  const live = new Database(q.file, { readonly: true });
  t.deepEqual(live.prepare(`SELECT state FROM events WHERE event_id = ?`).get(pendingId), { state: 'sent' });
  t.deepEqual(live.prepare(`SELECT count(*) AS n FROM events WHERE event_id = 'late'`).get(), { n: 1 });
  t.deepEqual(live.prepare(`SELECT value FROM clock WHERE name = 'lamport'`).get(), { value: tick });
  live.close();
  const aside = join(dir, asideMain(dir)[0]);
  t.false(ids(aside).includes('late'));
  const kept = new Database(aside, { readonly: true });
  t.deepEqual(kept.prepare(`SELECT state FROM events WHERE event_id = ?`).get(pendingId), { state: 'pending' });
  kept.close();
});

test('a write that races the swap (queue.db checked, then swapped before the write) meets the fence on the old file and is made in the live one', (t) => {
  const dir = home();
  const q = damagedQueue(dir);
  const { logger } = quietLogger();
  const held = new QueueDatabase({ home: dir }, logger);
  held.run((db) => db.prepare('SELECT count(*) FROM events').get());
  q.damage();
  let runs = 0;
  held.run((db) => {
    // The salvage happens between the check at the start of the run and this write.
    if (++runs === 1) salvageByAnother(dir);
    insertRow(db, { event_id: 'raced' });
  });
  held.close();
  t.is(runs, 2, 'the write failed on the old file and ran again on the new one');
  t.deepEqual(ids(q.file).slice(N), ['by-the-salvager', 'raced']);

  const aside = join(dir, asideMain(dir)[0]);
  t.false(ids(aside).includes('raced'));
  // Anything else that still writes to the file kept aside is told why it cannot.
  const kept = new Database(aside);
  for (const sql of [`DELETE FROM events`, `UPDATE clock SET value = value + 1`, `INSERT INTO meta (key, value) VALUES ('k', 'v')`]) {
    t.like(errorOf(() => kept.prepare(sql).run()), { code: 'SQLITE_CONSTRAINT_TRIGGER', message: MOVED_ASIDE }, sql);
  }
  kept.close();
});

import test from 'ava';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { MIGRATIONS, SCHEMA_VERSION, migrate } from '../../../services/user-db/schema.js';
import { tempDir } from '../../helpers/cli.js';

/** A file as an older spec-kitty left it: the first `version` migrations applied. */
function fileAtVersion(version: number): Database.Database {
  const db = new Database(join(tempDir(), 'queue.db'));
  for (const sql of MIGRATIONS.slice(0, version)) db.exec(sql);
  db.pragma(`user_version = ${version}`);
  return db;
}

const insert = (db: Database.Database, id: string, state: string) => db.prepare(`INSERT INTO events
  (event_id, project_uuid, project_slug, event_type, aggregate_id, lamport_clock, envelope, state, created_at)
  VALUES (?, NULL, NULL, 'WPStatusChanged', 'WP01', 1, '{}', ?, 1)`).run(id, state);

test('a version-2 file is brought forward with every row, its seq and a pruned tail\'s high-water mark', (t) => {
  const db = fileAtVersion(2);
  insert(db, 'a', 'pending');
  insert(db, 'b', 'sent');
  insert(db, 'c', 'held');
  db.prepare(`DELETE FROM events WHERE event_id = 'c'`).run(); // a pruned tail: seq 3 must never come back
  migrate(db);
  t.is(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  t.deepEqual(db.prepare('SELECT seq, event_id, state, intent, origin FROM events ORDER BY seq').all(), [
    { seq: 1, event_id: 'a', state: 'pending', intent: null, origin: null },
    { seq: 2, event_id: 'b', state: 'sent', intent: null, origin: null },
  ]);
  insert(db, 'd', 'prepared');
  t.is((db.prepare(`SELECT seq FROM events WHERE event_id = 'd'`).get() as { seq: number }).seq, 4);
  t.deepEqual(db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' AND name LIKE 'events_by%' ORDER BY name`).all(),
    [{ name: 'events_by_aggregate' }, { name: 'events_by_state' }]);
  db.close();
});

test('an empty version-2 file migrates too', (t) => {
  const db = fileAtVersion(2);
  migrate(db);
  insert(db, 'x', 'pending');
  t.is((db.prepare('SELECT seq FROM events').get() as { seq: number }).seq, 1);
  db.close();
});

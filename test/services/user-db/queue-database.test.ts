import test from 'ava';
import { join } from 'node:path';
import { createLogger } from '../../../lib/logger.js';
import { QueueDatabase } from '../../../services/user-db/queue-database.js';
import { tempDir } from '../../helpers/cli.js';

const open = () => new QueueDatabase({ home: join(tempDir('sk-qdb-'), 'home') }, createLogger({ color: false, write: () => {} }));

test('commits are fsynced only where it counts: FULL inside `durably`, NORMAL elsewhere', (t) => {
  const database = open();
  const level = () => database.run((db) => db.pragma('synchronous', { simple: true }));
  t.is(level(), 1, 'NORMAL for clock ticks and bookkeeping');
  const inside = database.run((db) => database.durably(db, () => db.pragma('synchronous', { simple: true })));
  t.is(inside, 2, 'FULL for the commit that makes events durable');
  t.is(level(), 1);
  database.close();
});

test('a throwing durable transaction rolls back and restores NORMAL', (t) => {
  const database = open();
  t.throws(() => database.run((db) => database.durably(db, () => {
    db.prepare("INSERT INTO meta (key, value) VALUES ('k', 'v')").run();
    throw new Error('boom');
  })), { message: 'boom' });
  t.deepEqual(database.run((db) => db.prepare("SELECT count(*) AS n FROM meta WHERE key = 'k'").get()), { n: 0 });
  t.is(database.run((db) => db.pragma('synchronous', { simple: true })), 1);
  database.close();
});

test('statements are prepared once per connection', (t) => {
  const database = open();
  const a = database.run((db) => database.statement(db, 'SELECT 1'));
  const b = database.run((db) => database.statement(db, 'SELECT 1'));
  t.is(a, b);
  database.close();
  const c = database.run((db) => database.statement(db, 'SELECT 1'));
  t.not(a, c, 'a new connection prepares anew');
  database.close();
});

import test from 'ava';
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createSqliteStorage } from '../../../hub/storage/sqlite/index.js';
import { SCHEMA_VERSION } from '../../../hub/storage/sqlite/schema.js';
import { HubStorageError } from '../../../hub/storage/storage.js';
import { ingestEnvelope, storageSuite } from './suite.js';

const root = mkdtempSync(join(tmpdir(), 'hub-storage-'));
test.after.always(() => rmSync(root, { recursive: true, force: true }));

let databases = 0;
const newFile = () => join(root, `db-${++databases}`, 'hub.db');

storageSuite('sqlite', async () => {
  const file = newFile();
  return async () => createSqliteStorage({ file });
});

const mode = (file: string) => statSync(file).mode & 0o777;

test('sqlite: the file (and its folder) is created private, 0600, and stays so with WAL', async (t) => {
  const file = newFile();
  const storage = createSqliteStorage({ file });
  try {
    await storage.migrate();
    const team = await storage.ensureTeam('acme');
    await storage.addUser('ada', team.id, 'h', 1);
    t.is(mode(file), 0o600);
    t.is(mode(join(file, '..')), 0o700);
    t.is(mode(`${file}-wal`), 0o600);
  } finally {
    await storage.close();
  }
});

test('sqlite: opens in WAL mode with a busy timeout', async (t) => {
  const file = newFile();
  const storage = createSqliteStorage({ file });
  await storage.migrate();
  await storage.close();
  const db = new Database(file, { readonly: true });
  try {
    t.is(db.pragma('journal_mode', { simple: true }), 'wal');
    t.is(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  } finally {
    db.close();
  }
});

test('sqlite: a database with a newer schema is refused with a clear error', async (t) => {
  const file = newFile();
  const first = createSqliteStorage({ file });
  await first.migrate();
  await first.close();
  const db = new Database(file);
  db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  db.close();
  const storage = createSqliteStorage({ file });
  try {
    const error = await t.throwsAsync(storage.migrate(), { instanceOf: HubStorageError });
    t.is(error?.code, 'unavailable');
    t.regex(error?.message ?? '', new RegExp(`schema version ${SCHEMA_VERSION + 1}, newer than this hub knows \\(${SCHEMA_VERSION}\\)`));
    await t.throwsAsync(storage.ensureTeam('acme'), { instanceOf: HubStorageError, message: /newer/ });
  } finally {
    await storage.close();
  }
});

test('sqlite: used before migrate(), it says so', async (t) => {
  const storage = createSqliteStorage({ file: newFile() });
  try {
    await t.throwsAsync(storage.listTeams(), { instanceOf: HubStorageError, message: /not migrated/ });
  } finally {
    await storage.close();
  }
});

test('sqlite: several processes opening and migrating one new file at once all succeed', async (t) => {
  const file = newFile();
  const child = fileURLToPath(new URL('./migrate-child.ts', import.meta.url));
  const run = promisify(execFile);
  const outputs = await Promise.all(
    [1, 2, 3].map((i) => run(process.execPath, ['--import', 'tsx', child, file, `team-${i}`], { timeout: 60_000 })),
  );
  t.deepEqual(outputs.map((o) => o.stdout.trim()), ['ok', 'ok', 'ok']);
  const storage = createSqliteStorage({ file });
  try {
    await storage.migrate();
    t.deepEqual((await storage.listTeams()).map((team) => team.slug), ['team-1', 'team-2', 'team-3']);
  } finally {
    await storage.close();
  }
});

const move = (wp: string, lamport: number, slug = 'alpha') => ingestEnvelope({
  aggregate_id: wp, lamport_clock: lamport, project_slug: slug,
  payload: { wp_id: wp, previous_status: 'planned', new_status: 'doing', changed_by: 'ada', feature_slug: '001-x' },
});

test('sqlite: an ingest rolled back part-way leaves no trace on the board the next one builds on', async (t) => {
  const file = newFile();
  const storage = createSqliteStorage({ file });
  try {
    await storage.migrate();
    const team = await storage.ensureTeam('acme');
    await storage.ingest(team.id, [move('WP01', 1)], 1);
    // Writing the project row fails once the call's events were applied (in memory too).
    const db = new Database(file);
    db.exec("CREATE TRIGGER boom BEFORE UPDATE ON projects WHEN NEW.project_slug = 'boom' BEGIN SELECT RAISE(ABORT, 'boom'); END");
    db.close();
    await t.throwsAsync(storage.ingest(team.id, [move('WP02', 2), move('WP03', 3, 'boom')], 2), { any: true, message: /boom/ });
    const last = move('WP04', 4);
    t.deepEqual(await storage.ingest(team.id, [last], 3), [{ event_id: last.event_id, status: 'success' }]);
    const [project] = await storage.projects(team.id);
    t.is(project.event_count, 2);
    t.deepEqual(project.features[0].wps.map((wp) => wp.wp_id), ['WP01', 'WP04']);
  } finally {
    await storage.close();
  }
});

test('sqlite: close commits the ingests already asked for', async (t) => {
  const file = newFile();
  const storage = createSqliteStorage({ file });
  await storage.migrate();
  const team = await storage.ensureTeam('acme');
  const event = move('WP01', 1);
  const pending = storage.ingest(team.id, [event], 1);
  await storage.close();
  t.deepEqual(await pending, [{ event_id: event.event_id, status: 'success' }]);
  const again = createSqliteStorage({ file });
  try {
    await again.migrate();
    t.is((await again.projects(team.id))[0].event_count, 1);
  } finally {
    await again.close();
  }
});

import test from 'ava';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { QueueDatabase } from '../../../services/user-db/queue-database.js';
import { REPO_ROOT, tempDir } from '../../helpers/cli.js';
import { runScript } from '../../helpers/identity.js';
import { quietLogger, seedQueue } from './queue-rows.js';

// A permission problem is only real for a user without root's powers: these tests start the
// child as uid 65534 (nobody), which needs root, or skip saying why.
const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;
let nobodyOk: boolean | undefined;
function nobodyCanRunTheSources(): boolean {
  if (nobodyOk !== undefined) return nobodyOk;
  try {
    execFileSync(process.execPath, ['--import', 'tsx', '-e', '0'], { cwd: REPO_ROOT, uid: NOBODY, gid: NOBODY, stdio: 'ignore' });
    nobodyOk = true;
  } catch {
    nobodyOk = false;
  }
  return nobodyOk;
}
const skipReason = () => (!isRoot
  ? 'needs root to start a process as another user (as a non-root user, a mode-000 file of your own behaves the same)'
  : !nobodyCanRunTheSources() ? `uid ${NOBODY} cannot read this checkout (${REPO_ROOT})` : undefined);

/** A home that nobody can reach; `owner` owns the home folder itself. */
function place(owner: number): string {
  const dir = tempDir('sk-perm-');
  chmodSync(dir, 0o755);
  const home = join(dir, 'home');
  mkdirSync(home, { mode: 0o755 });
  chownSync(home, owner, owner);
  return home;
}

const asNobody = async (home: string, mode = 'insert') =>
  (await runScript('test/services/user-db/fixtures/open.ts', [home, mode], {}, { uid: NOBODY, gid: NOBODY }).done);

const snapshot = (home: string) => Object.fromEntries(readdirSync(home).sort().map((f) => {
  const s = statSync(join(home, f));
  return [f, { mode: s.mode, uid: s.uid, bytes: s.isFile() ? readFileSync(join(home, f)).toString('base64') : null }];
}));

test('queue.db of mode 000 (EACCES): a permission error that names the file and what to check; the file untouched, nothing moved aside', async (t) => {
  const reason = skipReason();
  if (reason) return t.pass(reason);
  const home = place(NOBODY);
  seedQueue(home, 20);
  const file = join(home, 'queue.db');
  chownSync(file, NOBODY, NOBODY);
  chmodSync(file, 0o000);
  const before = snapshot(home);

  const { code, result, stderr } = await asNobody(home);
  t.is(code, 0, stderr);
  t.is(result.error?.name, 'UserError');
  t.is(result.error.message,
    `permission denied: nobody cannot read and write the offline queue ${file} (EACCES). Check the ownership and mode of ` +
    '$SPEC_KITTY_HOME/queue.db: it must belong to you and be readable and writable (chmod 600). The file was left as it is.');
  t.deepEqual(result.log, [], 'no "moved aside" warning');
  t.deepEqual(snapshot(home), before, 'byte-identical, same mode, and no file added or moved');
});

test('the machine clock on a queue.db of mode 000 fails with the same permission error (an emit then exits 3)', async (t) => {
  const reason = skipReason();
  if (reason) return t.pass(reason);
  const home = place(NOBODY);
  seedQueue(home, 1);
  chownSync(join(home, 'queue.db'), NOBODY, NOBODY);
  chmodSync(join(home, 'queue.db'), 0o000);
  const before = snapshot(home);
  const { result } = await asNobody(home, 'tick');
  t.is(result.error?.name, 'UserError');
  t.regex(result.error.message, /^permission denied: nobody cannot read and write the offline queue .*queue\.db \(EACCES\)\. Check the ownership and mode of \$SPEC_KITTY_HOME\/queue\.db/);
  t.deepEqual(snapshot(home), before);
});

test('a $SPEC_KITTY_HOME the user cannot write, with no queue.db yet: "cannot create", and nothing is made', async (t) => {
  const reason = skipReason();
  if (reason) return t.pass(reason);
  const home = place(0);
  const { result } = await asNobody(home);
  t.is(result.error?.name, 'UserError');
  t.is(result.error.message,
    `permission denied: cannot create the offline queue ${join(home, 'queue.db')}: $SPEC_KITTY_HOME (${home}) is not writable for nobody (EACCES). ` +
    'Check its ownership and mode, or set SPEC_KITTY_HOME to a folder you own.');
  t.deepEqual(readdirSync(home), []);
});

test('a writable queue.db in a $SPEC_KITTY_HOME the user cannot write (no room for -wal/-shm): the folder is named, the file untouched', async (t) => {
  const reason = skipReason();
  if (reason) return t.pass(reason);
  const home = place(0);
  seedQueue(home, 5);
  chmodSync(join(home, 'queue.db'), 0o666);
  const before = snapshot(home);
  const { result } = await asNobody(home);
  t.is(result.error?.name, 'UserError');
  t.regex(result.error.message, /^permission denied: the offline queue .*queue\.db cannot be used because its folder \$SPEC_KITTY_HOME \(.*\) is not writable for nobody \(EACCES\); SQLite keeps queue\.db-wal and queue\.db-shm beside it\./);
  t.deepEqual(snapshot(home), before);
});

test('a damaged queue.db in a $SPEC_KITTY_HOME the user cannot write: it cannot be salvaged, so it is left as it is, and the error says why', async (t) => {
  const reason = skipReason();
  if (reason) return t.pass(reason);
  const home = place(0);
  writeFileSync(join(home, 'queue.db'), 'not SQLite '.repeat(500), { mode: 0o666 });
  chmodSync(join(home, 'queue.db'), 0o666);
  const before = snapshot(home);
  const { result } = await asNobody(home);
  t.is(result.error?.name, 'UserError');
  t.regex(result.error.message, /^the offline queue .*queue\.db is damaged \(file is not a database\) and its events could not be salvaged into a new file: permission denied: \$SPEC_KITTY_HOME \(.*\) is not writable\. The damaged file was left as it is\./);
  t.deepEqual(snapshot(home), before);
});

test('queue.db is a folder: one clear line, nothing moved', (t) => {
  const home = join(tempDir('sk-perm-'), 'home');
  mkdirSync(join(home, 'queue.db'), { recursive: true });
  const { logger, lines } = quietLogger();
  const database = new QueueDatabase({ home }, logger);
  const err = t.throws(() => database.run((db) => db.prepare('SELECT 1').get()));
  t.is(err?.name, 'UserError');
  t.is((err as Error & { code?: string }).code, 'queue_unavailable');
  t.is(err?.message, `the offline queue ${join(home, 'queue.db')} is a folder, not a file. Move it out of the way (spec-kitty then starts a new queue.db there), or set SPEC_KITTY_HOME to another folder.`);
  t.deepEqual(lines, []);
  t.deepEqual(readdirSync(home), ['queue.db']);
});

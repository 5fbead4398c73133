import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { OWNER_FILE, lockHolder, withLock, withLockSync, type LockOwner } from '../../lib/lock.js';
import { REPO_ROOT, tempDir } from '../helpers/cli.js';

test('a free lock is held for the call and released after it', async (t) => {
  const file = join(tempDir(), 'wp.md');
  writeFileSync(file, 'x');
  const seen = await withLock(file, {}, () => existsSync(`${file}.lock`));
  t.true(seen);
  t.false(existsSync(`${file}.lock`));
});

test('a second holder waits for the first and then runs', async (t) => {
  const file = join(tempDir(), 'wp.md');
  const order: string[] = [];
  let releaseFirst!: () => void;
  const first = withLock(file, {}, () => new Promise<void>((resolve) => { order.push('first in'); releaseFirst = () => { order.push('first out'); resolve(); }; }));
  await new Promise((r) => setTimeout(r, 20));
  const second = withLock(file, { waitMs: 2000 }, () => { order.push('second in'); });
  await new Promise((r) => setTimeout(r, 60));
  t.deepEqual(order, ['first in'], 'the second holder is still waiting');
  releaseFirst();
  await Promise.all([first, second]);
  t.deepEqual(order, ['first in', 'first out', 'second in']);
});

test('a lock left by a dead process is taken over once stale', async (t) => {
  const file = join(tempDir(), 'wp.md');
  mkdirSync(`${file}.lock`);
  const old = new Date(Date.now() - 60_000);
  utimesSync(`${file}.lock`, old, old);
  t.is(await withLock(file, { staleMs: 10_000 }, () => 'ran'), 'ran');
  t.is(withLockSync(`${file}2`, { waitMs: 100 }, () => 'sync ran'), 'sync ran');
});

test('a held lock that never frees ends in ELOCKED, sync and async', async (t) => {
  const file = join(tempDir(), 'wp.md');
  mkdirSync(`${file}.lock`);
  await t.throwsAsync(withLock(file, { waitMs: 0 }, () => 'no'), { code: 'ELOCKED' });
  t.throws(() => withLockSync(file, { waitMs: 50 }, () => 'no'), { code: 'ELOCKED' });
});

test('of several waiters that find one stale lock, exactly one takes it over at a time', async (t) => {
  const file = join(tempDir(), 'wp.md');
  mkdirSync(`${file}.lock`);
  const old = new Date(Date.now() - 60_000);
  utimesSync(`${file}.lock`, old, old);
  let inside = 0;
  let most = 0;
  await Promise.all(Array.from({ length: 8 }, () => withLock(file, { staleMs: 2000 }, async () => {
    most = Math.max(most, ++inside);
    await new Promise((r) => setTimeout(r, 15));
    inside--;
  })));
  t.is(most, 1);
  t.false(existsSync(`${file}.lock`));
});

test('a free lock held longer than `stale` stays fresh: a waiter enters only after it is released', async (t) => {
  const file = join(tempDir(), 'wp.md');
  const lock = `${file}.lock`;
  const events: string[] = [];
  const first = withLock(file, { staleMs: 2000 }, async () => {
    events.push('A in');
    await new Promise((r) => setTimeout(r, 3500));
    events.push('A out');
  });
  await new Promise((r) => setTimeout(r, 50));
  // Retries enough to wait ~5 s: a stolen lock would let B in at ~2 s, while A is still inside.
  const second = withLock(file, { staleMs: 2000, waitMs: 5000 }, async () => {
    events.push('B in');
    // Long enough that a stolen lock's release by A would fall inside B's hold.
    await new Promise((r) => setTimeout(r, 1800));
    events.push(existsSync(lock) ? 'B still locked' : 'B lost its lock');
  });
  await Promise.all([first, second]);
  t.deepEqual(events, ['A in', 'A out', 'B in', 'B still locked']);
  t.false(existsSync(lock));
});

test('a lock taken over while held is not removed by the original holder', async (t) => {
  const file = join(tempDir(), 'wp.md');
  const lock = `${file}.lock`;
  // What a waiter's takeover leaves: the folder removed and made again, with another mtime.
  const takeOver = () => {
    rmSync(lock, { recursive: true });
    mkdirSync(lock);
    const other = new Date(Date.now() - 30_000);
    utimesSync(lock, other, other);
  };
  await withLock(file, {}, takeOver);
  t.true(existsSync(lock), 'async release leaves the new holder\'s lock');
  t.true(Math.abs(statSync(lock).mtimeMs - (Date.now() - 30_000)) < 5_000);
  rmSync(lock, { recursive: true });
  withLockSync(file, { waitMs: 100 }, takeOver);
  t.true(existsSync(lock), 'sync release leaves the new holder\'s lock');
});

test('a lock taken over while held, with a fresh mtime, is still not removed by the original holder: the owner token differs', async (t) => {
  const file = join(tempDir(), 'wp.md');
  const lock = `${file}.lock`;
  // A takeover within the same second: only the owner record tells the two holdings apart.
  await withLock(file, {}, () => {
    const owner = JSON.parse(readFileSync(join(lock, OWNER_FILE), 'utf8')) as LockOwner;
    writeFileSync(join(lock, OWNER_FILE), JSON.stringify({ ...owner, token: 'someone else' }));
  });
  t.true(existsSync(lock));
});

test('the lock folder holds an owner record: pid, hostname, start time', async (t) => {
  const file = join(tempDir(), 'wp.md');
  const owner = await withLock(file, {}, () => JSON.parse(readFileSync(join(`${file}.lock`, OWNER_FILE), 'utf8')) as LockOwner);
  t.is(owner.pid, process.pid);
  t.is(owner.hostname, hostname());
  if (process.platform === 'linux') t.regex(owner.start ?? '', /^\d+$/);
  t.false(existsSync(`${file}.lock`), 'released with its owner file');
});

/** A child process that takes the lock on `file` and says "locked"; it holds it for `holdMs`, then releases and exits. */
function holder(file: string, holdMs: number): Promise<ChildProcess> {
  const script = `
    const { withLock } = await import(${JSON.stringify(join(REPO_ROOT, 'lib', 'lock.ts'))});
    await withLock(${JSON.stringify(file)}, {}, async () => {
      process.stdout.write('locked\\n');
      await new Promise((r) => setTimeout(r, ${holdMs}));
    });`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`the holder exited (${code}) before taking the lock`)));
  });
}

test('a lock left by a SIGKILLed process on this machine is broken at once, not after staleMs', async (t) => {
  const file = join(tempDir(), 'wp.md');
  const child = await holder(file, 60_000);
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  t.true(existsSync(`${file}.lock`), 'the dead holder left its lock');
  let waited = 0;
  const started = Date.now();
  t.is(await withLock(file, { staleMs: 10_000, waitMs: 10_000, onWait: () => { waited++; } }, () => 'ran'), 'ran');
  t.true(Date.now() - started < 1_000, `took ${Date.now() - started} ms`);
  t.is(waited, 0, 'no notice for a lock broken at once');
  const started2 = Date.now();
  const child2 = await holder(`${file}2`, 60_000);
  child2.kill('SIGKILL');
  await new Promise((r) => child2.once('exit', r));
  t.is(withLockSync(`${file}2`, { staleMs: 10_000, waitMs: 10_000 }, () => 'sync ran'), 'sync ran');
  t.true(Date.now() - started2 < 5_000);
  t.deepEqual(readdirSync(join(file, '..')).filter((n) => n.includes('.lock')), [], 'nothing left aside');
});

test('a lock whose owner is alive is waited for, and onWait is called exactly once, with the owner', async (t) => {
  const file = join(tempDir(), 'wp.md');
  const child = await holder(file, 1_500);
  const exited = new Promise((r) => child.once('exit', r));
  const owners: Array<LockOwner | undefined> = [];
  const started = Date.now();
  const enteredAfter = await withLock(file, { staleMs: 10_000, waitMs: 10_000, onWait: (o) => owners.push(o) }, () => Date.now() - started);
  await exited;
  // The holder keeps it 1.5 s after saying so.
  t.true(enteredAfter > 1_200, `entered after ${enteredAfter} ms`);
  t.is(owners.length, 1);
  t.is(owners[0]?.pid, child.pid);
  t.is(owners[0]?.hostname, hostname());
});

test('onWait is called once in the sync form too, and not at all when the lock is free', (t) => {
  const file = join(tempDir(), 'wp.md');
  let calls = 0;
  withLockSync(file, { onWait: () => { calls++; } }, () => undefined);
  t.is(calls, 0);
  mkdirSync(`${file}.lock`);
  t.throws(() => withLockSync(file, { waitMs: 400, waitNoticeMs: 100, onWait: (o) => { calls++; t.is(o, undefined, 'no record'); } }, () => 'no'), { code: 'ELOCKED' });
  t.is(calls, 1);
});

test('an owner on another machine is judged by mtime only; a record of a live pid here is waited for', async (t) => {
  const file = join(tempDir(), 'wp.md');
  const lock = `${file}.lock`;
  mkdirSync(lock);
  // pid 999999999 is dead here, but on the other machine it may be alive.
  writeFileSync(join(lock, OWNER_FILE), JSON.stringify({ pid: 999_999_999, hostname: `not-${hostname()}`, token: 'x' }));
  await t.throwsAsync(withLock(file, { waitMs: 200 }, () => 'no'), { code: 'ELOCKED' });
  const old = new Date(Date.now() - 60_000);
  utimesSync(lock, old, old);
  t.is(await withLock(file, { staleMs: 10_000 }, () => 'stale'), 'stale');
  // This machine, a dead pid: broken at once.
  mkdirSync(lock);
  writeFileSync(join(lock, OWNER_FILE), JSON.stringify({ pid: 999_999_999, hostname: hostname(), token: 'y' }));
  t.is(await withLock(file, { waitMs: 200 }, () => 'dead'), 'dead');
  // This machine, a live pid (this test's own parent) whose start time matches: held.
  mkdirSync(lock);
  writeFileSync(join(lock, OWNER_FILE), JSON.stringify({ pid: process.ppid, hostname: hostname(), token: 'z' }));
  await t.throwsAsync(withLock(file, { waitMs: 200 }, () => 'no'), { code: 'ELOCKED' });
  rmSync(lock, { recursive: true });
});

test('a reused pid (same pid, another start time) counts as dead on Linux', async (t) => {
  if (process.platform !== 'linux') return t.pass('no /proc');
  const file = join(tempDir(), 'wp.md');
  const lock = `${file}.lock`;
  mkdirSync(lock);
  writeFileSync(join(lock, OWNER_FILE), JSON.stringify({ pid: process.ppid, hostname: hostname(), start: '1', token: 'z' }));
  t.is(await withLock(file, { waitMs: 200 }, () => 'reused'), 'reused');
});

test('of several waiters that find a lock of a dead owner, exactly one takes it over at a time', async (t) => {
  const file = join(tempDir(), 'wp.md');
  const lock = `${file}.lock`;
  mkdirSync(lock);
  writeFileSync(join(lock, OWNER_FILE), JSON.stringify({ pid: 999_999_999, hostname: hostname(), token: 'dead' }));
  let inside = 0;
  let most = 0;
  await Promise.all(Array.from({ length: 8 }, () => withLock(file, { staleMs: 10_000 }, async () => {
    most = Math.max(most, ++inside);
    await new Promise((r) => setTimeout(r, 15));
    inside--;
  })));
  t.is(most, 1);
  t.false(existsSync(lock));
  t.deepEqual(readdirSync(join(file, '..')), [], 'nothing left aside');
});

test('a live owner on this machine is never overtaken, even when its lock has not been touched for longer than staleMs', async (t) => {
  const file = join(tempDir(), 'wp.md');
  const child = await holder(file, 60_000);
  const exited = new Promise((r) => child.once('exit', r));
  try {
    child.kill('SIGSTOP'); // paused: it refreshes nothing
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${file}.lock`, old, old);
    await t.throwsAsync(withLock(file, { staleMs: 2_000, waitMs: 500 }, () => 'overtaken'), { code: 'ELOCKED' });
    t.throws(() => withLockSync(file, { staleMs: 2_000, waitMs: 300 }, () => 'overtaken'), { code: 'ELOCKED' });
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
  t.is(await withLock(file, { staleMs: 2_000 }, () => 'after its death'), 'after its death');
});

test('lockHolder: null when free or when its holder is dead, the owner while a live process holds it', async (t) => {
  const file = join(tempDir(), 'drain');
  t.is(lockHolder(file), null);
  const seen = await withLock(file, {}, () => lockHolder(file));
  t.like(seen, { pid: process.pid, hostname: hostname() });
  t.is(lockHolder(file), null, 'released');
  mkdirSync(`${file}.lock`);
  writeFileSync(join(`${file}.lock`, OWNER_FILE), JSON.stringify({ pid: 999_999_999, hostname: hostname(), token: 'x' }));
  t.is(lockHolder(file), null, 'a dead holder (SIGKILLed) does not count');
  rmSync(`${file}.lock`, { recursive: true });
  mkdirSync(`${file}.lock`);
  t.is(lockHolder(file), 'unknown', 'a fresh lock without a record counts as held');
});

test('a holder that died but was never reaped (a zombie) counts as dead', async (t) => {
  if (process.platform !== 'linux') {
    t.log('zombies are told from /proc: Linux only');
    return t.pass();
  }
  // `sleep 0.1` becomes the child of the exec'd `sleep 10`, which never reaps it.
  const parent = spawn('sh', ['-c', 'sleep 0.1 & echo $!; exec sleep 10'], { stdio: ['ignore', 'pipe', 'ignore'] });
  t.teardown(() => parent.kill('SIGKILL'));
  const pid = Number((await new Promise<Buffer>((resolve) => parent.stdout!.once('data', resolve))).toString().trim());
  let state = '';
  for (let i = 0; i < 50 && state !== 'Z'; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] ?? '';
  }
  t.is(state, 'Z', 'the test made a zombie');
  const file = join(tempDir(), 'drain');
  mkdirSync(`${file}.lock`);
  writeFileSync(join(`${file}.lock`, OWNER_FILE), JSON.stringify({ pid, hostname: hostname(), token: 'z' }));
  t.is(lockHolder(file), null);
  t.is(await withLock(file, { waitMs: 200 }, () => 'taken'), 'taken');
});

import test from 'ava';
import { existsSync, mkdirSync, rmdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withLock, withLockSync } from '../../lib/lock.js';
import { tempDir } from '../helpers/cli.js';

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
    rmdirSync(lock);
    mkdirSync(lock);
    const other = new Date(Date.now() - 30_000);
    utimesSync(lock, other, other);
  };
  await withLock(file, {}, takeOver);
  t.true(existsSync(lock), 'async release leaves the new holder\'s lock');
  t.true(Math.abs(statSync(lock).mtimeMs - (Date.now() - 30_000)) < 5_000);
  rmdirSync(lock);
  withLockSync(file, { waitMs: 100 }, takeOver);
  t.true(existsSync(lock), 'sync release leaves the new holder\'s lock');
});

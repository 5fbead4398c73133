import test from 'ava';
import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFileExclusive, writeFileAtomic } from '../../lib/atomic-write.js';
import { tempDir } from '../helpers/cli.js';

test('writeFileAtomic replaces the content, keeps the mode and leaves no temp file', (t) => {
  const dir = tempDir();
  const file = join(dir, 'WP01.md');
  writeFileSync(file, 'old');
  chmodSync(file, 0o600);
  writeFileAtomic(file, 'new');
  t.is(readFileSync(file, 'utf8'), 'new');
  t.is(statSync(file).mode & 0o777, 0o600);
  t.deepEqual(readdirSync(dir), ['WP01.md']);
});

test('createFileExclusive never overwrites: a taken name fails with EEXIST and keeps its content', (t) => {
  const dir = tempDir();
  const file = join(dir, 'WP01.md');
  createFileExclusive(file, 'first');
  t.throws(() => createFileExclusive(file, 'second'), { code: 'EEXIST' });
  t.is(readFileSync(file, 'utf8'), 'first');
  t.deepEqual(readdirSync(dir), ['WP01.md']);
});

test('a write into a missing folder fails cleanly', (t) => {
  t.throws(() => writeFileAtomic(join(tempDir(), 'missing', 'x'), 'x'), { code: 'ENOENT' });
});

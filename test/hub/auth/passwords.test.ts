import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SCRYPT_DEFAULTS, hashPassword, verifyNoUser, verifyPassword } from '../../../hub/auth/passwords.js';

test('a hash verifies its password, and carries its parameters and salt', async (t) => {
  const stored = await hashPassword('correct horse battery staple');
  const parts = stored.split('$');
  t.is(parts.length, 6);
  t.deepEqual(parts.slice(0, 4), ['scrypt', String(SCRYPT_DEFAULTS.N), String(SCRYPT_DEFAULTS.r), String(SCRYPT_DEFAULTS.p)]);
  t.is(Buffer.from(parts[4]!, 'base64').length, 16);
  t.false(stored.includes('correct horse'));
  t.true(await verifyPassword('correct horse battery staple', stored));
});

test('a wrong password does not verify', async (t) => {
  const stored = await hashPassword('s3cret');
  t.false(await verifyPassword('s3cret ', stored));
  t.false(await verifyPassword('S3cret', stored));
  t.false(await verifyPassword('', stored));
});

test('the salt differs per hash, so one password gives different hashes', async (t) => {
  const [a, b] = await Promise.all([hashPassword('same'), hashPassword('same')]);
  t.not(a, b);
  t.not(a.split('$')[4], b.split('$')[4]);
  t.true(await verifyPassword('same', a));
  t.true(await verifyPassword('same', b));
});

test('the stored parameters are used, so old hashes verify after the defaults change', async (t) => {
  const stored = await hashPassword('pw');
  const [, , r, p, salt, key] = stored.split('$');
  // Another N with the same salt and key no longer matches: N is read from the hash.
  t.false(await verifyPassword('pw', ['scrypt', 1024, r, p, salt, key].join('$')));
});

test('a malformed stored hash is false, never a throw', async (t) => {
  const good = await hashPassword('pw');
  const [, N, r, p, salt, key] = good.split('$');
  const bad = [
    '',
    'pw',
    'bcrypt$10$abc',
    good.replace(/^scrypt/, 'Scrypt'),
    ['scrypt', N, r, p, salt].join('$'),
    [...good.split('$'), 'extra'].join('$'),
    ['scrypt', 'x', r, p, salt, key].join('$'),
    ['scrypt', 1000, r, p, salt, key].join('$'), // not a power of two
    ['scrypt', 0, r, p, salt, key].join('$'),
    ['scrypt', -16384, r, p, salt, key].join('$'),
    ['scrypt', 2 ** 30, r, p, salt, key].join('$'), // far too much memory
    ['scrypt', N, 0, p, salt, key].join('$'),
    ['scrypt', N, r, 1e9, salt, key].join('$'),
    ['scrypt', N, r, p, '', key].join('$'),
    ['scrypt', N, r, p, salt, ''].join('$'),
    ['scrypt', N, r, p, '!!!not base64!!!', key].join('$'),
    ['scrypt', N, r, p, salt, 'AAAA'].join('$'), // a 3-byte key
  ];
  for (const stored of bad) t.false(await verifyPassword('pw', stored), stored);
  t.false(await verifyPassword('pw', null as unknown as string));
  t.false(await verifyPassword(undefined as unknown as string, good));
});

test('verifyNoUser spends a verification and answers false', async (t) => {
  t.false(await verifyNoUser('anything'));
});

test('the comparison is timingSafeEqual (read from the source, not timed)', (t) => {
  const source = readFileSync(fileURLToPath(new URL('../../../hub/auth/passwords.ts', import.meta.url)), 'utf8');
  const body = source.slice(source.indexOf('export async function verifyPassword'));
  const end = body.indexOf('\n}\n');
  const verify = body.slice(0, end);
  t.regex(verify, /timingSafeEqual\(candidate, key\)/);
  t.notRegex(verify, /candidate\s*===\s*key|\.equals\(|Buffer\.compare|toString\(/);
});

import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

// Password hashes: scrypt with a random per-user salt. The parameters are stored with the hash
// (`scrypt$N$r$p$saltB64$hashB64`), so they can be raised later while old hashes still verify.

/**
 * The cost for new hashes. N = 2^14 (16 MiB of memory with r = 8) takes about 60-75 ms per hash
 * on the hub's 2-core build machine (2^13: ~30 ms, 2^15: ~145 ms), measured with scryptSync.
 */
export const SCRYPT_DEFAULTS = { N: 2 ** 14, r: 8, p: 1, saltBytes: 16, keyBytes: 32 } as const;

/** Bounds for parameters read from storage, so a bad stored hash cannot ask for huge work. */
const MAX_MEMORY = 256 * 1024 * 1024;
const MAX_P = 16;
const KEY_BYTES = { min: 16, max: 128 };
const SALT_BYTES = { min: 8, max: 64 };
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const DECIMAL = /^[1-9][0-9]{0,9}$/;

function derive(password: string, salt: Buffer, keyBytes: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, keyBytes, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** Memory scrypt needs is 128·N·r bytes; leave room over it for Node's own check. */
const maxmemFor = (N: number, r: number) => 128 * N * r * 2;

export async function hashPassword(password: string): Promise<string> {
  if (typeof password !== 'string') throw new TypeError('password must be a string');
  const { N, r, p, saltBytes, keyBytes } = SCRYPT_DEFAULTS;
  const salt = randomBytes(saltBytes);
  const key = await derive(password, salt, keyBytes, { N, r, p, maxmem: maxmemFor(N, r) });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

interface ParsedHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

function parseHash(stored: string): ParsedHash | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [, nText, rText, pText, saltText, keyText] = parts as [string, string, string, string, string, string];
  if (!DECIMAL.test(nText) || !DECIMAL.test(rText) || !DECIMAL.test(pText)) return null;
  const N = Number(nText);
  const r = Number(rText);
  const p = Number(pText);
  // N must be a power of two above 1 (scrypt's own rule); memory and parallelism are capped.
  if (N < 2 || (N & (N - 1)) !== 0 || !Number.isSafeInteger(N)) return null;
  if (p > MAX_P || 128 * N * r > MAX_MEMORY) return null;
  if (!BASE64.test(saltText) || !BASE64.test(keyText)) return null;
  const salt = Buffer.from(saltText, 'base64');
  const key = Buffer.from(keyText, 'base64');
  if (salt.length < SALT_BYTES.min || salt.length > SALT_BYTES.max) return null;
  if (key.length < KEY_BYTES.min || key.length > KEY_BYTES.max) return null;
  return { N, r, p, salt, key };
}

/**
 * True if `password` matches `stored`, recomputed with the stored parameters and compared in
 * constant time. A malformed stored hash (or a non-string argument) is false, never a throw.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (typeof password !== 'string' || typeof stored !== 'string') return false;
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const { N, r, p, salt, key } = parsed;
  let candidate: Buffer;
  try {
    candidate = await derive(password, salt, key.length, { N, r, p, maxmem: maxmemFor(N, r) });
  } catch {
    return false;
  }
  // Same length by construction (the key length is taken from the stored hash).
  return candidate.length === key.length && timingSafeEqual(candidate, key);
}

/**
 * Spends the time of one verification and answers false: for a login whose user does not exist,
 * so the answer's timing does not tell which user names exist.
 */
export async function verifyNoUser(password: string): Promise<false> {
  const { N, r, p, saltBytes, keyBytes } = SCRYPT_DEFAULTS;
  await derive(typeof password === 'string' ? password : '', Buffer.alloc(saltBytes), keyBytes, {
    N, r, p, maxmem: maxmemFor(N, r),
  }).catch(() => undefined);
  return false;
}

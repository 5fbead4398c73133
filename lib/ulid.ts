import { closeSync, openSync, readSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulid';

// Random bytes drawn in batches from the kernel's CSPRNG. Through /dev/urandom, not node:crypto
// or WebCrypto: either one's set-up costs an emitting command a noticeable share of its start-up.
const pool = new Uint8Array(512);
let next = pool.length;

function refill(): void {
  if (process.platform === 'win32') {
    randomFillSync(pool);
    return;
  }
  try {
    const fd = openSync('/dev/urandom', 'r');
    try {
      for (let got = 0, n; got < pool.length; got += n) {
        n = readSync(fd, pool, got, pool.length - got, null);
        if (n <= 0) throw new Error('/dev/urandom gave no bytes');
      }
    } finally {
      closeSync(fd);
    }
  } catch {
    randomFillSync(pool); // no readable /dev/urandom (a sandbox)
  }
}

function random(): number {
  if (next === pool.length) {
    refill();
    next = 0;
  }
  return pool[next++] / 256;
}

/** Monotonic within the process: two ids made in the same millisecond still sort in order. */
export const newUlid: () => string = monotonicFactory(random);

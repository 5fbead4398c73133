import { randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulid';

// Random bytes drawn in batches from node:crypto: ulid would otherwise reach for WebCrypto,
// whose set-up is a noticeable share of a short command's start-up.
const pool = new Uint8Array(512);
let next = pool.length;
function random(): number {
  if (next === pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  return pool[next++] / 256;
}

/** Monotonic within the process: two ids made in the same millisecond still sort in order. */
export const newUlid: () => string = monotonicFactory(random);

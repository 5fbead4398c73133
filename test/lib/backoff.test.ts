import test from 'ava';
import { backoffDelayMs } from '../../lib/backoff.js';

test('the ceiling doubles from the base up to the cap', (t) => {
  const top = { baseMs: 500, maxMs: 30_000, random: () => 0.999999 };
  t.deepEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelayMs(n, top)), [499, 999, 1999, 3999, 7999, 15999, 29999, 29999]);
  t.is(backoffDelayMs(60, top), 29_999);
});

test('full jitter: anywhere from 0 to the ceiling, as random falls', (t) => {
  t.is(backoffDelayMs(4, { random: () => 0 }), 0);
  t.is(backoffDelayMs(4, { random: () => 0.5 }), 2000);
  const seen = new Set(Array.from({ length: 200 }, () => backoffDelayMs(5)));
  t.true(seen.size > 50, 'the delays spread');
  for (const d of seen) t.true(d >= 0 && d < 8000);
});

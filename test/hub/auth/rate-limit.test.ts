import test from 'ava';
import { FailureLimiter } from '../../../hub/auth/rate-limit.js';

function clock(start = 1_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

test('blocks after max failures, with a Retry-After in seconds', (t) => {
  const c = clock();
  const limiter = new FailureLimiter({ max: 3, windowMs: 60_000, now: c.now });
  for (let i = 0; i < 3; i++) {
    t.deepEqual(limiter.check('alice'), { allowed: true });
    limiter.fail('alice');
    c.t += 1000;
  }
  t.deepEqual(limiter.check('alice'), { allowed: false, retryAfterSeconds: 59 });
  c.t += 29_500;
  t.deepEqual(limiter.check('alice'), { allowed: false, retryAfterSeconds: 30 });
  // Other keys are not affected.
  t.deepEqual(limiter.check('bob'), { allowed: true });
  t.deepEqual(limiter.check('10.0.0.1'), { allowed: true });
});

test('frees the key a full window after the failure that tipped it', (t) => {
  const c = clock();
  const limiter = new FailureLimiter({ max: 2, windowMs: 10_000, now: c.now });
  limiter.fail('k');
  c.t += 9_000;
  limiter.fail('k');
  c.t += 9_999;
  t.false(limiter.check('k').allowed);
  c.t += 1;
  t.deepEqual(limiter.check('k'), { allowed: true });
  // And it starts counting afresh.
  limiter.fail('k');
  t.deepEqual(limiter.check('k'), { allowed: true });
});

test('failures spread wider than the window never block', (t) => {
  const c = clock();
  const limiter = new FailureLimiter({ max: 2, windowMs: 10_000, now: c.now });
  limiter.fail('k');
  c.t += 10_000;
  limiter.fail('k');
  t.deepEqual(limiter.check('k'), { allowed: true });
});

test('a success clears the key', (t) => {
  const c = clock();
  const limiter = new FailureLimiter({ max: 2, windowMs: 60_000, now: c.now });
  limiter.fail('k');
  limiter.fail('k');
  t.false(limiter.check('k').allowed);
  limiter.succeed('k');
  t.deepEqual(limiter.check('k'), { allowed: true });
  t.is(limiter.size, 0);
  limiter.fail('k');
  t.deepEqual(limiter.check('k'), { allowed: true });
});

test('the cap on keys holds: expired keys go first, then the least recently failed', (t) => {
  const c = clock();
  const limiter = new FailureLimiter({ max: 1, windowMs: 1000, maxKeys: 100, now: c.now });
  for (let i = 0; i < 10_000; i++) {
    limiter.fail(`addr-${i}`);
    t.true(limiter.size <= 100);
  }
  t.is(limiter.size, 100);
  t.false(limiter.check('addr-9999').allowed);
  t.true(limiter.check('addr-0').allowed);
  // Re-failing a key makes it the most recent, so it outlives the others.
  limiter.fail('addr-9900');
  for (let i = 0; i < 99; i++) limiter.fail(`new-${i}`);
  t.false(limiter.check('addr-9900').allowed);
  t.true(limiter.check('addr-9901').allowed);
  // Once the window has passed, the old keys are dropped rather than live ones evicted.
  c.t += 1000;
  limiter.fail('late');
  t.is(limiter.size, 1);
});

test('checking never adds keys', (t) => {
  const limiter = new FailureLimiter({ max: 1, windowMs: 1000 });
  for (let i = 0; i < 1000; i++) limiter.check(`k${i}`);
  t.is(limiter.size, 0);
});

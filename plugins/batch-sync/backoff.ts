import { backoffDelayMs } from 'spec-kitty/plugin';

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  /** A number in [0, 1): Math.random, or a fixed sequence in tests. */
  random: () => number;
}

/**
 * The wait after the `failures`-th whole-batch failure in a row (1 = the first): full jitter under
 * an exponential ceiling, so clients that failed together do not come back together, but never
 * sooner than the hub asked for with Retry-After.
 */
export function retryWaitMs(failures: number, policy: BackoffPolicy, retryAfterSeconds?: number): number {
  const jittered = backoffDelayMs(failures, policy);
  if (retryAfterSeconds === undefined || !(retryAfterSeconds > 0)) return jittered;
  return Math.max(jittered, Math.ceil(retryAfterSeconds * 1000));
}

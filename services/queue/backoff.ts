export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
  /** 0..1 of `random()` to mix in, so many clients coming back online do not retry in lockstep. */
  random?: () => number;
}

/** Delay before retry number `attempts` (1 = first retry): exponential, capped, with full jitter. */
export function retryDelayMs(attempts: number, { baseMs = 1000, maxMs = 5 * 60 * 1000, random = Math.random }: BackoffOptions = {}): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

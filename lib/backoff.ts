export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
  /** A number in [0, 1); Math.random by default. */
  random?: () => number;
}

/**
 * The wait before retry number `attempt` (1 = the first retry): exponential and capped, with full
 * jitter (anywhere from 0 to the ceiling), so clients that failed together do not come back together.
 */
export function backoffDelayMs(attempt: number, { baseMs = 500, maxMs = 30_000, random = Math.random }: BackoffOptions = {}): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

// Login failures, counted per key (a user name, a client address) in memory: after `max`
// failures within `windowMs` the key is refused until a full window has passed since the
// failure that tipped it (429 with Retry-After). A success clears the key. Memory is bounded:
// expired keys are dropped as new ones come, and past `maxKeys` the least recently failed key
// goes. Nothing here starts a timer, so a limiter holds no handle open.

export interface FailureLimiterOptions {
  /** Failures allowed within a window; the next attempt is refused. */
  max: number;
  windowMs: number;
  /** At most this many keys are remembered (default 10,000). */
  maxKeys?: number;
  now?: () => number;
}

export type LimitCheck = { allowed: true } | { allowed: false; retryAfterSeconds: number };

interface Entry {
  failures: number;
  /** When the key is forgotten: a window after its first failure, or after the tipping one. */
  resetAt: number;
}

export class FailureLimiter {
  readonly #max: number;
  readonly #windowMs: number;
  readonly #maxKeys: number;
  readonly #now: () => number;
  /** In order of last failure (an updated key is moved to the end). */
  readonly #entries = new Map<string, Entry>();

  constructor(options: FailureLimiterOptions) {
    const { max, windowMs, maxKeys = 10_000, now = () => Date.now() } = options;
    if (!Number.isInteger(max) || max < 1) throw new RangeError('max must be an integer ≥ 1');
    if (!(windowMs > 0)) throw new RangeError('windowMs must be > 0');
    if (!Number.isInteger(maxKeys) || maxKeys < 1) throw new RangeError('maxKeys must be an integer ≥ 1');
    this.#max = max;
    this.#windowMs = windowMs;
    this.#maxKeys = maxKeys;
    this.#now = now;
  }

  /** How many keys are remembered now. */
  get size(): number {
    return this.#entries.size;
  }

  check(key: string): LimitCheck {
    const now = this.#now();
    const entry = this.#live(key, now);
    if (!entry || entry.failures < this.#max) return { allowed: true };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((entry.resetAt - now) / 1000)) };
  }

  fail(key: string): void {
    const now = this.#now();
    const entry = this.#live(key, now);
    this.#entries.delete(key);
    if (entry) {
      entry.failures += 1;
      if (entry.failures >= this.#max) entry.resetAt = now + this.#windowMs;
      this.#entries.set(key, entry);
      return;
    }
    this.#dropExpired(now);
    while (this.#entries.size >= this.#maxKeys) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
    this.#entries.set(key, { failures: 1, resetAt: now + this.#windowMs });
  }

  succeed(key: string): void {
    this.#entries.delete(key);
  }

  /** Takes back one failure counted ahead (an attempt that turned out fine). */
  forgive(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    entry.failures -= 1;
    if (entry.failures <= 0) this.#entries.delete(key);
  }

  #live(key: string, now: number): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry && entry.resetAt <= now) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /**
   * Drops expired keys from the front (the least recently failed), and sweeps them all once the
   * cap is reached, before any live key is evicted.
   */
  #dropExpired(now: number): void {
    for (const [key, entry] of this.#entries) {
      if (entry.resetAt > now) break;
      this.#entries.delete(key);
    }
    if (this.#entries.size < this.#maxKeys) return;
    for (const [key, entry] of this.#entries) if (entry.resetAt <= now) this.#entries.delete(key);
  }
}

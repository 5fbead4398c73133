import type { HookName } from './hooks.js';

/** How long one tap (or a plugin's `apply`) may take before its phase's failure rule applies. */
export type Deadlines = Record<Exclude<HookName, 'emitted' | 'dropped' | 'flush' | 'stop'> | 'apply', number>;

// Persist and commit wait longer than SQLite's busy timeout, so a queue that is only locked
// by another process is not taken for a broken one. flush and stop get the caller's deadline.
export const DEFAULT_DEADLINES: Deadlines = {
  start: 2_000,
  // Identity may wait for the project's config lock (a concurrent first run): withKittifyLock waits less.
  enrich: 5_000,
  guard: 2_000,
  persist: 10_000,
  commit: 10_000,
  discard: 5_000,
  deliver: 1_000,
  apply: 5_000,
};

export class DeadlineError extends Error {
  constructor(what: string, ms: number) {
    super(`${what} did not finish within ${ms} ms`);
    this.name = 'DeadlineError';
  }
}

/** `work`, or a DeadlineError once `ms` have passed; the timer never outlives the race. */
export function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(what, ms)), Math.max(0, ms));
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** Exit codes scripts can rely on (listed in `spec-kitty --help`). */
export const EXIT = {
  ok: 0,
  /** The command could not do what was asked (bad input, failed move, broken file). */
  failure: 1,
  /** Wrong arguments or options. */
  usage: 2,
  /** An event could not be queued durably: nothing was recorded for it. */
  notQueued: 3,
} as const;

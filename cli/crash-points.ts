import type { EmitChange } from '../core/bus.js';

/**
 * Where the crash tests kill the process (`SPEC_KITTY_CRASH_AT=point[:n]`, the n-th time the
 * command passes it, 1 by default): between an event's persist and its change, between the
 * change and the commit, or after the commit.
 */
export type CrashPoint = 'before-change' | 'after-change' | 'after-commit';
let crashPasses = 0;

export function crashAt(point: CrashPoint): void {
  const [at, nth = '1'] = (process.env.SPEC_KITTY_CRASH_AT ?? '').split(':');
  if (at === point && ++crashPasses === Number(nth)) process.kill(process.pid, 'SIGKILL');
}

export function withCrashPoints(change: EmitChange): EmitChange {
  return {
    intent: change.intent,
    async apply() {
      crashAt('before-change');
      await change.apply();
      crashAt('after-change');
    },
  };
}

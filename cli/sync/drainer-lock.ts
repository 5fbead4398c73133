import { join } from 'node:path';
import { lockHolder, type LockOptions } from '../../lib/lock.js';

/** One background drainer per machine (per `$SPEC_KITTY_HOME`): it holds this lock while it runs. */
export const drainerLockTarget = (home: string) => join(home, 'drainer');

/** A SIGKILLed drainer's lock is taken over at once (its pid is gone) or, failing that, after this. */
export const DRAINER_LOCK: LockOptions = { waitMs: 0, staleMs: 15_000 };

/** The pid of the running drainer, 0 when it left no record, or null when none runs. */
export function runningDrainer(home: string): number | null {
  const holder = lockHolder(drainerLockTarget(home), DRAINER_LOCK);
  return holder === null ? null : holder === 'unknown' ? 0 : holder.pid;
}

import { messageOf } from '../../core/errors.js';
import { TOKENS } from '../../core/tokens.js';
import { withLock } from '../../lib/lock.js';
import { specKittyHome } from '../home.js';
import { cliLogger, cliServices } from '../runtime.js';
import { DRAINER_LOCK, drainerLockTarget } from './drainer-lock.js';
import { batchSyncOf, type DrainSummary } from './engine.js';
import { holdOpen } from './hold-open.js';
import { readSyncSettings } from './settings.js';

/** How long the drainer keeps trying a hub that fails; what is left waits for the next command or `sync now`. */
export const FAILURE_WINDOW_MS = 60_000;
/** A drainer that keeps making progress still ends: rounds of up to FAILURE_WINDOW_MS each. */
const MAX_ROUNDS = 10;

const stamp = (line: string) => `${new Date().toISOString()} [${process.pid}] ${line}`;

/**
 * The background drainer (`spec-kitty sync drain`, started detached by commands): one per
 * machine, by lock. It sends until nothing is pending, the user is logged out, or the hub has
 * failed for FAILURE_WINDOW_MS; SIGTERM or SIGINT releases what it claimed and ends it.
 */
export async function runDrainer(): Promise<number> {
  const home = specKittyHome();
  const log = (line: string) => cliLogger().info(stamp(line));
  const container = await cliServices();
  const off = readSyncSettings(null).offBecause;
  if (off) {
    log(`sync is off (${off}): nothing sent`);
    return 0;
  }
  const sync = await batchSyncOf(container, cliLogger());
  if (!sync.engine) {
    log(`${sync.why}: nothing sent`);
    return 0;
  }
  const engine = sync.engine;
  const stopping = new AbortController();
  let exitCode = 0;
  const stop = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping; what was claimed goes back to pending`);
    exitCode = signal === 'SIGINT' ? 130 : 143;
    stopping.abort();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  const queue = container.get(TOKENS.ReadQueue);
  for (let round = 0; round < MAX_ROUNDS && !stopping.signal.aborted; round++) {
    let summary: DrainSummary;
    try {
      summary = await holdOpen(withLock(drainerLockTarget(home), DRAINER_LOCK, () =>
        engine.drain({ deadline: Date.now() + FAILURE_WINDOW_MS, signal: stopping.signal })));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ELOCKED') {
        log('another drainer is running: it sends the queue');
        return 0;
      }
      throw err;
    }
    log(`sent ${summary.sent}, duplicate ${summary.duplicate}, dead ${summary.dead}, left ${summary.left}` +
      `${summary.loggedOut ? ' (logged out)' : ''}${summary.error ? `; last error: ${summary.error}` : ''}`);
    // A round that settled nothing (a failing hub, events it could not claim) is the end: the
    // next command starts another drainer, so waiting on here only holds the queue busy.
    if (summary.loggedOut || summary.sent + summary.duplicate + summary.dead === 0) break;
    // A command may have queued more between the last claim and the release, and seen the lock held.
    const pending = await queue.stats().then((s) => s.counts.pending, (err: unknown) => { log(messageOf(err)); return 0; });
    if (pending === 0) break;
  }
  return exitCode;
}

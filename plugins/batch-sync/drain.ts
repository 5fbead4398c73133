/**
 * The batch-sync engine, for the plugin's flush and for the CLI (`sync now`, the background
 * drainer), which may import this file directly.
 */
import type { Logger, PluginServices } from 'spec-kitty/plugin';
import type { BatchSyncOptions } from './options.js';
import { DrainRun } from './run.js';

export { validateOptions } from './options.validate.js';
export type { BatchSyncOptions } from './options.js';

export type BatchSyncServices = Pick<PluginServices, 'syncQueue' | 'readQueue' | 'hub' | 'session'>;

export interface DrainProgress {
  sent: number;
  duplicate: number;
  dead: number;
  /** Pending at the start less what was settled since: an estimate for a progress bar. */
  left: number;
}

export interface DrainRequest {
  /** Epoch ms: every request and every wait ends by then; what is claimed but unsent is released. */
  deadline: number;
  signal?: AbortSignal;
  /**
   * Return once nothing can be claimed (what is left waits for its next attempt, or another
   * process holds it) instead of looking again until the deadline. Retries after a failure of
   * this drain still happen within the deadline.
   */
  stopWhenIdle?: boolean;
  /** Events waiting for their next attempt go now, in this drain's first claim (a user's `sync now`). */
  retryNow?: boolean;
  /** After each batch's outcome. */
  onProgress?: (progress: DrainProgress) => void;
}

export interface DrainSummary {
  /** Accepted by the hub. */
  sent: number;
  /** The hub had them already (also marked sent). */
  duplicate: number;
  /** Rejected: never sent again (`sync retry-dead` puts them back). */
  dead: number;
  /** Attempts that failed and were put back for later, counted per event. */
  retried: number;
  /** Pending events when the drain ended. */
  left: number;
  /** No login, or the hub refused it even after a refresh: nothing more was sent. */
  loggedOut: boolean;
  /** The last whole-batch failure; null when the last attempt succeeded (or none was made). */
  error: string | null;
}

export interface BatchSync {
  /** Sends pending events until none is left, the deadline passes, the signal aborts or stop(). */
  drain(request: DrainRequest): Promise<DrainSummary>;
  /** Cuts requests and waits in flight, releases what was claimed; later drains send nothing. */
  stop(): Promise<void>;
}

/** What tests may fix: the jitter. */
export interface BatchSyncTesting {
  random?: () => number;
}

/** What carries over from one drain to the next: failures in a row keep growing the backoff. */
export interface EngineState {
  failures: number;
}

export function createBatchSync(
  services: BatchSyncServices, options: BatchSyncOptions, logger: Logger, testing: BatchSyncTesting = {},
): BatchSync {
  const state: EngineState = { failures: 0 };
  const running = new Set<{ run: DrainRun; done: Promise<unknown> }>();
  let stopped = false;
  return {
    async drain(request) {
      const run = new DrainRun({ services, options, logger, state, random: testing.random ?? Math.random }, request);
      if (stopped) run.abort();
      const entry = { run, done: run.run() };
      running.add(entry);
      try {
        return await entry.done as DrainSummary;
      } finally {
        running.delete(entry);
      }
    },
    async stop() {
      stopped = true;
      for (const { run } of running) run.abort();
      await Promise.allSettled([...running].map((r) => r.done));
    },
  };
}

import { isHubFailure, type HubAccess, type HubFailure, type Logger, type QueuedEvent } from 'spec-kitty/plugin';
import { retryWaitMs, type BackoffPolicy } from './backoff.js';
import type { BatchLimits, Item } from './batches.js';
import type { BatchSyncServices, DrainRequest, DrainSummary, EngineState } from './drain.js';
import type { BatchSyncOptions } from './options.js';
import { sortResults } from './results.js';
import { sendRound } from './round.js';
import { Aborted, drainSignal, sleep, unlessAborted } from './waits.js';

/** While other processes hold the pending events (or they wait for their next attempt), look again this often. */
const IDLE_POLL_MS = 250;

export interface RunContext {
  services: BatchSyncServices;
  options: BatchSyncOptions;
  logger: Logger;
  state: EngineState;
  random: () => number;
}

/** A failure of a whole batch (or of the session) as the drain records it. */
export type Failure = Pick<HubFailure, 'retryAfterSeconds'> & { message: string };

/**
 * One drain: claims, sends (round.ts) and settles events until none is pending or it must stop.
 * Every event it claimed and did not settle is released when it ends, however it ends.
 */
export class DrainRun {
  readonly summary: DrainSummary = { sent: 0, duplicate: 0, dead: 0, retried: 0, left: 0, loggedOut: false, error: null };
  readonly limits: BatchLimits;
  readonly backoff: BackoffPolicy;
  access: HubAccess | null = null;
  /** The access token was just refreshed after a 401: another 401 means logged out. */
  refreshed = false;
  readonly #abort: ReturnType<typeof drainSignal>;
  /** Claimed, not yet settled. */
  readonly #held = new Set<string>();
  #startPending = 0;
  #retryAt = 0;

  constructor(readonly ctx: RunContext, private readonly request: DrainRequest) {
    this.limits = { maxEvents: ctx.options.maxEvents, maxBytes: ctx.options.maxBytes };
    this.backoff = { baseMs: ctx.options.backoffBaseMs, maxMs: ctx.options.backoffMaxMs, random: ctx.random };
    this.#abort = drainSignal(request.deadline, request.signal);
  }

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  over(): boolean {
    return this.signal.aborted || Date.now() >= this.request.deadline;
  }

  abort(): void {
    this.#abort.abort();
  }

  async run(): Promise<DrainSummary> {
    try {
      await this.#loop();
    } finally {
      this.#abort.dispose();
      await this.releaseHeld();
    }
    this.summary.left = await this.#pending();
    return this.summary;
  }

  async #loop(): Promise<void> {
    // A read: with nothing pending, no write lock is taken and the session is never asked.
    this.#startPending = await this.#pending();
    if (this.#startPending === 0) return;
    let ahead: QueuedEvent[] = [];
    let aheadAt = 0;
    try {
      while (!this.over()) {
        const claimed = ahead.length > 0 ? ahead : await this.#claim();
        const claimedAt = ahead.length > 0 ? aheadAt : Date.now();
        ahead = [];
        if (claimed.length === 0) {
          if (this.request.stopWhenIdle || await this.#pending() === 0) return;
          await this.sleepUntil(Math.max(this.#retryAt, Date.now() + IDLE_POLL_MS));
          continue;
        }
        // Only with something claimed: asking the session may refresh the token over the network.
        if (!this.access) {
          const login = await this.#login();
          if (login === 'logged-out') return;
          if (login !== 'ok') {
            await this.releaseHeld();
            await this.sleepUntil(this.#retryAt);
            continue;
          }
        }
        const round = sendRound(this, claimed, claimedAt);
        // The next claim is read while the hub works on this round, so the two overlap. Only
        // after a full claim: a short one means the queue had no more.
        if (claimed.length === this.limits.maxEvents && !this.over()) {
          aheadAt = Date.now();
          ahead = await this.#claim();
        }
        const end = await round;
        await this.releaseHeld(claimed);
        if (end === 'next') continue;
        await this.releaseHeld(ahead);
        ahead = [];
        if (end === 'logged-out') return;
        await this.sleepUntil(this.#retryAt);
      }
    } finally {
      await this.releaseHeld(ahead);
    }
  }

  async #claim(): Promise<QueuedEvent[]> {
    // Only until the first failure of this drain: after it, its own backoff decides.
    const retryNow = this.request.retryNow === true && this.ctx.state.failures === 0 && this.summary.error === null;
    const claimed = await this.ctx.services.syncQueue().claim({ limit: this.limits.maxEvents, leaseMs: this.ctx.options.leaseMs, retryNow });
    for (const e of claimed) this.#held.add(e.event_id);
    return claimed;
  }

  /** 'failed': the hub could not be asked for a token; the drain backs off. */
  async #login(): Promise<'ok' | 'logged-out' | 'failed'> {
    let access: HubAccess | null;
    try {
      access = await unlessAborted(this.ctx.services.session().access(), this.signal);
    } catch (err) {
      if (!(err instanceof Aborted)) await this.failWhole(asFailure(err), []);
      return 'failed';
    }
    if (!access) {
      this.summary.loggedOut = true;
      return 'logged-out';
    }
    this.access = access;
    if (this.ctx.options.checkHubLimits) await this.#adoptHubLimits(access.server);
    return 'ok';
  }

  /** A forced refresh after a 401. A failure here is the batch's: it backs off. */
  async refresh(): Promise<'ok' | 'logged-out' | 'stopped' | Failure> {
    try {
      const access = await unlessAborted(this.ctx.services.session().access({ force: true }), this.signal);
      if (!access) return 'logged-out';
      this.access = access;
      return 'ok';
    } catch (err) {
      return err instanceof Aborted ? 'stopped' : asFailure(err);
    }
  }

  async #adoptHubLimits(server: string): Promise<void> {
    try {
      this.lowerLimits(await unlessAborted(this.ctx.services.hub().health(server), this.signal));
    } catch (err) {
      this.ctx.logger.debug(`batch-sync: the hub's limits are unknown (${messageOf(err)}); batches keep the configured limits`);
    }
  }

  lowerLimits(limits: { max_events_per_batch?: number; max_decompressed_bytes_per_batch?: number }): void {
    const { max_events_per_batch: events, max_decompressed_bytes_per_batch: bytes } = limits;
    if (events && events > 0) this.limits.maxEvents = Math.min(this.limits.maxEvents, events);
    if (bytes && bytes > 0) this.limits.maxBytes = Math.min(this.limits.maxBytes, bytes);
  }

  /** The hub answered: each event settled by its result. */
  async settle(batch: readonly Item[], results: Parameters<typeof sortResults>[1]): Promise<void> {
    const queue = this.ctx.services.syncQueue();
    const sorted = sortResults(batch, results);
    const now = Date.now();
    await queue.markSent(sorted.sent, now);
    for (const { item, reason } of sorted.dead) await this.markDead(item, reason);
    for (const { item, reason } of sorted.retry) {
      await queue.markRetry(item.id, reason, now + retryWaitMs(item.attempts + 1, this.backoff));
      this.#held.delete(item.id);
    }
    for (const id of sorted.sent) this.#held.delete(id);
    this.summary.sent += sorted.sent.length - sorted.duplicate;
    this.summary.duplicate += sorted.duplicate;
    this.summary.retried += sorted.retry.length;
    this.summary.error = null;
    this.refreshed = false;
    this.ctx.state.failures = 0;
    await queue.recordSync({ at: now, error: null });
    this.#progress();
  }

  async markDead(item: Item, reason: string): Promise<void> {
    await this.ctx.services.syncQueue().markDead(item.id, reason);
    this.#held.delete(item.id);
    this.summary.dead += 1;
    this.ctx.logger.debug(`batch-sync: event ${item.id} is dead: ${reason}`);
    this.#progress();
  }

  /** The hub took none of `batch`: each event waits for its next attempt, the drain backs off. */
  async failWhole(failure: Failure, batch: readonly Item[]): Promise<void> {
    this.ctx.state.failures += 1;
    const now = Date.now();
    this.#retryAt = now + retryWaitMs(this.ctx.state.failures, this.backoff, failure.retryAfterSeconds);
    const queue = this.ctx.services.syncQueue();
    for (const item of batch) {
      await queue.markRetry(item.id, failure.message, this.#retryAt);
      this.#held.delete(item.id);
    }
    this.summary.retried += batch.length;
    await this.recordError(failure.message, now);
    this.ctx.logger.debug(`batch-sync: ${failure.message}; next attempt in ${this.#retryAt - now} ms`);
  }

  async recordError(message: string, at = Date.now()): Promise<void> {
    this.summary.error = message;
    await this.ctx.services.syncQueue().recordSync({ at, error: message });
  }

  /** Claimed events not settled go back to pending, no attempt counted: all of them, or those of one claim. */
  async releaseHeld(of?: readonly QueuedEvent[]): Promise<void> {
    const ids = of ? of.map((e) => e.event_id).filter((id) => this.#held.has(id)) : [...this.#held];
    if (ids.length === 0) return;
    for (const id of ids) this.#held.delete(id);
    await this.ctx.services.syncQueue().release(ids);
  }

  sleepUntil(at: number): Promise<void> {
    return sleep(Math.min(at, this.request.deadline) - Date.now(), this.signal);
  }

  #progress(): void {
    const { sent, duplicate, dead } = this.summary;
    try {
      this.request.onProgress?.({ sent, duplicate, dead, left: Math.max(0, this.#startPending - sent - duplicate - dead) });
    } catch (err) {
      this.ctx.logger.debug(`batch-sync: a progress callback failed: ${messageOf(err)}`);
    }
  }

  async #pending(): Promise<number> {
    return (await this.ctx.services.readQueue().list({ state: 'pending', limit: 1 })).total;
  }
}

/** Anything else than a HubFailure (a bug, a broken client) backs off like one too, so nothing is lost. */
export function asFailure(err: unknown): Failure {
  if (isHubFailure(err)) return { retryAfterSeconds: err.retryAfterSeconds, message: err.message };
  return { message: `sending failed: ${messageOf(err)}` };
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

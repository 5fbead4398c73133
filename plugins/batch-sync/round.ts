import { isHubFailure, type EventResult, type HubFailure, type QueuedEvent } from 'spec-kitty/plugin';
import { batchesOf, bodyBytes, halve, splitBatches, toItem, type Item } from './batches.js';
import { asFailure, type DrainRun } from './run.js';

/** `next`: claim again (all sent, or the lease is running out, or the drain is stopping). */
export type RoundEnd = 'next' | 'failed' | 'logged-out';

/**
 * Sends one claim's events, per project, in batches within the limits. A batch the hub refuses
 * as a whole is reshaped and put back at the front: halved (413), bisected to its poison event
 * (400), resent after one refresh (401); any other failure backs the drain off.
 */
export async function sendRound(run: DrainRun, claimed: readonly QueuedEvent[], claimedAt: number): Promise<RoundEnd> {
  // From the claim, not from now: a claim read ahead has been running its lease since.
  const leaseEnds = claimedAt + run.ctx.options.leaseMs;
  const work = batchesOf(claimed.map(toItem), run.limits);
  while (work.length > 0) {
    // Past half the lease another process may soon claim these too: release them and claim afresh.
    if (run.over() || Date.now() > leaseEnds - run.ctx.options.leaseMs / 2) return 'next';
    const end = await sendBatch(run, work.shift()!, work);
    if (end) return end;
  }
  return 'next';
}

async function sendBatch(run: DrainRun, batch: Item[], work: Item[][]): Promise<RoundEnd | undefined> {
  const access = run.access!;
  let results: EventResult[];
  try {
    results = await run.ctx.services.hub().sendBatch(access.server, access.token, batch.map((i) => i.envelope), { gzip: true, signal: run.signal });
  } catch (err) {
    // Cut by the deadline or stop: not an attempt; the events are released.
    if (run.signal.aborted) return 'next';
    return refused(run, batch, work, err);
  }
  await run.settle(batch, results);
  return undefined;
}

async function refused(run: DrainRun, batch: Item[], work: Item[][], err: unknown): Promise<RoundEnd | undefined> {
  const failure = isHubFailure(err) ? err : undefined;
  switch (failure?.kind) {
    case 'unauthorized':
      return unauthorized(run, batch, work, failure);
    case 'too_large':
      if (failure.limits) run.lowerLimits(failure.limits);
      if (batch.length === 1) {
        await run.markDead(batch[0]!, `too large for the hub: ${bodyBytes(batch)} bytes of JSON alone in a batch (${failure.message})`);
        return undefined;
      }
      work.unshift(...reshaped(batch, run));
      return undefined;
    case 'bad_request':
      // 408 (a request timeout) and other 4xx say nothing about the events: only a 400 singles one out.
      if (failure.status !== 400) break;
      await poisoned(run, batch, work, failure);
      return undefined;
  }
  await run.failWhole(asFailure(err), batch);
  return 'failed';
}

/** One refresh, then the same batch again; a second 401, or no login left, is logged-out mode. */
async function unauthorized(run: DrainRun, batch: Item[], work: Item[][], failure: HubFailure & Error): Promise<RoundEnd | undefined> {
  if (!run.refreshed) {
    run.refreshed = true;
    const refreshed = await run.refresh();
    if (refreshed === 'ok') {
      work.unshift(batch);
      return undefined;
    }
    if (refreshed === 'stopped') return 'next';
    if (refreshed !== 'logged-out') {
      await run.failWhole(refreshed, batch);
      return 'failed';
    }
    // The session has told the user already when the hub refused the refresh.
  } else {
    run.ctx.logger.warnOnce('batch-sync:unauthorized',
      `the hub refused a freshly refreshed login (${failure.message}); events stay queued until you run \`spec-kitty auth login\``);
  }
  run.summary.loggedOut = true;
  await run.recordError(`logged out: the hub refused the login (${failure.message})`);
  return 'logged-out';
}

/** Within the hub's limits when it gave lower ones, else in halves. */
function reshaped(batch: Item[], run: DrainRun): Item[][] {
  const split = splitBatches(batch, run.limits);
  return split.length > 1 ? split : halve(batch);
}

/** The events the hub named are dead and the rest go again; with none named, the batch is bisected. */
async function poisoned(run: DrainRun, batch: Item[], work: Item[][], failure: HubFailure & Error): Promise<void> {
  const inBatch = new Map(batch.map((i) => [i.id, i]));
  const named = new Map<string, string>();
  for (const d of failure.details ?? []) if (inBatch.has(d.event_id) && !named.has(d.event_id)) named.set(d.event_id, d.error);
  if (named.size > 0) {
    for (const [id, error] of named) await run.markDead(inBatch.get(id)!, `rejected by the hub: ${error}`);
    const rest = batch.filter((i) => !named.has(i.id));
    if (rest.length > 0) work.unshift(rest);
    return;
  }
  if (batch.length === 1) {
    await run.markDead(batch[0]!, `rejected by the hub: a batch holding only this event was refused (${failure.message})`);
    return;
  }
  work.unshift(...halve(batch));
}

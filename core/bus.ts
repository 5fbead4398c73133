import { inject, injectable } from 'inversify';
import { assertEnvelope, type Envelope, type EventDraft } from '../contract/index.js';
import { createEmitContext, type EmitContext, type EmitIntent } from './emit-context.js';
import { PersistError, messageOf } from './errors.js';
import { createHooks, type BusHooks, type DropInfo } from './hooks.js';
import type { Logger } from '../lib/logger.js';
import { DEFAULT_DEADLINES } from './deadlines.js';
import type { MachineClock, RuntimeOptions } from './services.js';
import { installTapSemantics } from './tap-semantics.js';
import { TOKENS } from './tokens.js';
import { newUlid } from '../lib/ulid.js';

export type EmitResult =
  | { status: 'emitted'; envelope: Envelope; context: EmitContext }
  | { status: 'dropped'; envelope: Envelope; drop: DropInfo; context: EmitContext };

/**
 * A change the command makes only once its event is durable, as one unit with it: the event is
 * persisted as prepared, `apply` makes the change, then the event is committed (and only then
 * sent). A crash in between leaves a prepared event whose intent tells recovery which it was.
 */
export interface EmitChange {
  intent: EmitIntent;
  apply(): void | Promise<void>;
}

@injectable()
export class EventBus {
  readonly hooks: BusHooks = createHooks();
  /** One per command run: every event the run emits shares it. */
  readonly correlationId = newUlid();
  private started?: Promise<void>;

  constructor(
    @inject(TOKENS.Clock) private readonly clock: MachineClock,
    @inject(TOKENS.Logger) private readonly logger: Logger,
    @inject(TOKENS.Options) options: Pick<RuntimeOptions, 'deadlines'>,
  ) {
    installTapSemantics(this.hooks, logger, { ...DEFAULT_DEADLINES, ...options.deadlines });
  }

  async emit(draft: EventDraft, change?: EmitChange): Promise<EmitResult> {
    const context = createEmitContext(this.correlationId, change?.intent ?? null);
    const skeleton: Envelope = {
      event_id: newUlid(),
      event_type: draft.event_type,
      aggregate_id: draft.aggregate_id,
      aggregate_type: draft.aggregate_type,
      payload: draft.payload,
      timestamp: new Date().toISOString(),
      node_id: this.clock.nodeId,
      lamport_clock: this.tick(),
      causation_id: draft.causation_id ?? null,
      correlation_id: this.correlationId,
      // Defaults the enrich phase overrides; they keep a degraded event valid.
      team_slug: 'local',
      project_uuid: null,
      project_slug: null,
    };
    this.started ??= this.hooks.start.promise();
    await this.started;

    const envelope = (await this.hooks.enrich.promise(skeleton, context)) ?? skeleton;
    assertEnvelope(envelope);
    if (envelope.project_uuid === null) context.deliverable = false;

    const drop = (await this.hooks.guard.promise(envelope, context)) as DropInfo | undefined;
    if (drop) {
      this.logger.debug(`dropped ${envelope.event_type} ${envelope.event_id} by ${drop.plugin}: ${drop.reason}`);
      this.hooks.dropped.call(envelope, drop, context);
      return { status: 'dropped', envelope, drop, context };
    }

    // Only a persist tap can make the event durable: whatever an earlier phase set does not count.
    context.durable = false;
    await this.hooks.persist.promise(envelope, context);
    // Durability is the bus's rule, not a convention: a persist tap that ran is not enough.
    if (!context.durable) {
      const ran = context.persistedBy.length > 0 ? `persist plugins ran (${context.persistedBy.join(', ')}) but none` : 'no persist plugin is enabled that';
      throw new PersistError(`event not queued: ${ran} made it durable (queue-persist does; it is required in plugins.json)`, null);
    }

    if (change) await this.applyChange(change, envelope, context);
    // Each deliverer has its deadline (core/deadlines.ts): what it has not sent by then stays queued.
    if (context.deliverable && this.hooks.deliver.isUsed()) await this.hooks.deliver.promise(envelope, context);
    this.hooks.emitted.call(envelope, context);
    return { status: 'emitted', envelope, context };
  }

  /** Makes the change, then commits the prepared event; a change that fails discards it. */
  private async applyChange(change: EmitChange, envelope: Envelope, context: EmitContext): Promise<void> {
    try {
      await change.apply();
    } catch (error) {
      await this.hooks.discard.promise(envelope, context);
      throw error;
    }
    await this.hooks.commit.promise(envelope, context);
  }

  /** The clock lives in the per-user database: if it cannot tick, nothing can be queued either. */
  private tick(): number {
    try {
      return this.clock.tick();
    } catch (err) {
      throw new PersistError(`event not queued: ${messageOf(err)}`, null, { cause: err });
    }
  }
}

/**
 * Per-event routing state. Decisions that are not part of the wire format live here,
 * never as extra envelope keys (DESIGN §2).
 */
export interface EmitContext {
  readonly correlationId: string;
  /** False: no project identity, so the event is queued as held and never sent. */
  deliverable: boolean;
  /** One line per enrich plugin that failed: the event went on without its stamp. */
  readonly degraded: string[];
  /** Plugins whose persist tap completed. */
  readonly persistedBy: string[];
  /** One line per deliverer that failed; the event stays queued for batch sync. */
  readonly deliveryErrors: string[];
  /** Free-form notes, keyed by plugin name. */
  readonly notes: Record<string, unknown>;
}

export function createEmitContext(correlationId: string): EmitContext {
  return { correlationId, deliverable: true, degraded: [], persistedBy: [], deliveryErrors: [], notes: {} };
}

/**
 * Per-event routing state. Decisions that are not part of the wire format live here,
 * never as extra envelope keys (DESIGN §2).
 */
export interface EmitContext {
  readonly correlationId: string;
  /** False: no project identity, so the event is queued as held and never sent. */
  deliverable: boolean;
  /** One line per plugin that failed without stopping the event (enrich, or persist once durable). */
  readonly degraded: string[];
  /** Plugins whose persist tap completed. */
  readonly persistedBy: string[];
  /**
   * Set by the persist plugin that put the event in the durable queue. From then on the event
   * is recorded: a later persist tap that fails can only degrade it, never un-record it.
   */
  durable: boolean;
  /** One line per deliverer that failed; the event stays queued for batch sync. */
  readonly deliveryErrors: string[];
  /** Free-form notes, keyed by plugin name. */
  readonly notes: Record<string, unknown>;
  /**
   * Set when the event stands for a change the command makes after persist (a file write): a
   * persist plugin keeps the event prepared, with this intent, until `commit` or `discard`.
   */
  readonly intent: EmitIntent | null;
}

/**
 * The change an event stands for: the file at `path` given content of `hash` (lib/content-hash).
 * `expect` says what about the file shows the change made, for recovery after a crash: by
 * default that exact content; a looser test survives a later edit of the file's other parts.
 */
export interface EmitIntent {
  path: string;
  hash: string;
  expect?: IntentExpectation;
  /** The path whose cross-process lock the change is made under, when it is not `path` itself. */
  lock?: string;
}

/** The file exists; its frontmatter `lane` has this value; its JSON has this key set. */
export type IntentExpectation = 'exists' | { lane: string } | { key: string };

/** The lock an intent's change is made under. */
export const lockOf = (intent: EmitIntent): string => intent.lock ?? intent.path;

export function createEmitContext(correlationId: string, intent: EmitIntent | null = null): EmitContext {
  return { correlationId, deliverable: true, degraded: [], persistedBy: [], durable: false, deliveryErrors: [], notes: {}, intent };
}

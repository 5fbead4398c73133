import type { EventResult } from 'spec-kitty/plugin';

export type Ack = Pick<EventResult, 'status' | 'error_message'>;

/** Acks awaited by event id; each wait ends with the ack, or null at its timeout or when the socket goes. */
export class PendingAcks {
  readonly #waiting = new Map<string, { done(ack: Ack | null): void; timer: NodeJS.Timeout }>();

  wait(eventId: string, timeoutMs: number): Promise<Ack | null> {
    return new Promise((resolve) => {
      // The same event delivered twice (a resend) waits on the one ack the hub gives.
      const earlier = this.#waiting.get(eventId);
      const timer = setTimeout(() => this.settle(eventId, null), timeoutMs);
      timer.unref();
      this.#waiting.set(eventId, {
        timer,
        done: (ack) => { earlier?.done(ack); resolve(ack); },
      });
      if (earlier) clearTimeout(earlier.timer);
    });
  }

  settle(eventId: string, ack: Ack | null): void {
    const entry = this.#waiting.get(eventId);
    if (!entry) return;
    this.#waiting.delete(eventId);
    clearTimeout(entry.timer);
    entry.done(ack);
  }

  /** The socket closed: nothing awaited will be acked on it. */
  settleAll(): void {
    for (const id of [...this.#waiting.keys()]) this.settle(id, null);
  }
}

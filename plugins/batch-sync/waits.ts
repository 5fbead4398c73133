/** Resolves after `ms`, or at once when `signal` aborts. The timer never keeps the process alive. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted || !(ms > 0)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    timer.unref();
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Thrown by `unlessAborted` when the drain gave up first. */
export class Aborted extends Error {
  constructor() {
    super('the drain stopped');
    this.name = 'Aborted';
  }
}

/**
 * `work`, or an Aborted rejection once `signal` aborts, for calls that take no signal (the
 * session's refresh, the health route): the call goes on unwatched, its outcome ignored.
 */
export function unlessAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => {});
    return Promise.reject(new Aborted());
  }
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(new Aborted());
    signal.addEventListener('abort', abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}

/**
 * A signal that aborts at `deadline` (epoch ms), when a given signal aborts, or on `abort()`.
 * `dispose()` clears its timer and listeners.
 */
export function drainSignal(deadline: number, outer?: AbortSignal): { signal: AbortSignal; abort(): void; dispose(): void } {
  const controller = new AbortController();
  const abort = () => controller.abort();
  const timer = setTimeout(abort, Math.max(0, deadline - Date.now()));
  timer.unref();
  outer?.addEventListener('abort', abort, { once: true });
  if (outer?.aborted || deadline <= Date.now()) abort();
  return {
    signal: controller.signal,
    abort,
    dispose() {
      clearTimeout(timer);
      outer?.removeEventListener('abort', abort);
    },
  };
}

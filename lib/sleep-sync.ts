/** Blocks the thread: used only while waiting on another process's lock, where nothing else can run anyway. */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Keeps the process alive until `work` settles. The engine's timers are unref'd, as a plugin's
 * must be; a command that drains (`sync now`, the drainer, a flush at exit) would otherwise end
 * while it waits for a retry or for events another process holds.
 */
export async function holdOpen<T>(work: Promise<T>): Promise<T> {
  const alive = setInterval(() => {}, 60_000);
  try {
    return await work;
  } finally {
    clearInterval(alive);
  }
}

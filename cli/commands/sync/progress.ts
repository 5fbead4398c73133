/** A progress bar on stderr (sent / total, rate); cli-progress loads only when one is shown. */
export async function showProgress(total: number): Promise<{ update(done: number): void; stop(): void }> {
  const { default: progress } = await import('cli-progress');
  const bar = new progress.SingleBar({
    format: 'syncing [{bar}] {value}/{total} events  {rate} ev/s',
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: true,
  }, progress.Presets.shades_classic);
  const started = Date.now();
  bar.start(total, 0, { rate: 0 });
  return {
    update(done) {
      const seconds = (Date.now() - started) / 1000;
      bar.update(Math.min(done, total), { rate: seconds > 0 ? Math.round(done / seconds) : 0 });
    },
    stop: () => bar.stop(),
  };
}

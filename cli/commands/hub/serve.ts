import { UserError } from '../../../core/errors.js';
import { print } from '../../output.js';
import { openStorage } from './open-storage.js';

/** `spec-kitty hub serve`: runs until SIGINT or SIGTERM, then closes cleanly (requests in flight finish). */
export async function serve(opts: { host: string; port: number; db?: string; accessMinutes: number; refreshDays: number; publicUrl?: string }): Promise<void> {
  const { storage, where, hub } = await openStorage(opts.db);
  let running;
  try {
    running = await hub.serveHub({
      storage, host: opts.host, port: opts.port, log: (line) => print(line),
      accessTtlMs: opts.accessMinutes * 60_000, refreshTtlMs: opts.refreshDays * 24 * 60 * 60_000,
      publicUrl: opts.publicUrl,
    });
  } catch (error) {
    if ((error as Error).name === 'PublicUrlError') throw new UserError((error as Error).message);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UserError(`${opts.host}:${opts.port} is in use by another program; pick another --port (0: any free one)`);
    if (code === 'EADDRNOTAVAIL' || code === 'EACCES') throw new UserError(`cannot listen on ${opts.host}:${opts.port} (${code}); check --host and --port`);
    throw error;
  }
  print(`spec-kitty hub listening on ${running.url} (database ${where})`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      print(`${signal}: closing; requests in flight finish first`);
      void running.close().then(resolve, resolve);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  print('spec-kitty hub stopped');
}

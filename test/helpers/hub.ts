import { spawnCli, type RunOptions } from './cli.js';

/**
 * `spec-kitty hub serve --port 0 …` as a child process; resolves once it says where it listens,
 * rejects if it exits first. `stop` ends it (SIGTERM) and waits; `exited` carries its code and output.
 */
export async function serveHub(args: string[], opts: RunOptions) {
  const child = spawnCli(['hub', 'serve', '--port', '0', ...args], opts);
  let out = '';
  const exited = new Promise<{ code: number | null; out: string }>((resolve) => child.once('exit', (code) => resolve({ code, out })));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`hub exited ${code}: ${out}`)));
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return { child, url, exited, stop, output: () => out };
}

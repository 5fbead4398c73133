import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from './measure.js';

// What the sync benches share: a real hub child, a black hole, logged-in homes, and the
// detached drainers (`spec-kitty sync drain`) those homes' commands start.

export const PASSWORD = 'bench password';
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
export const tempDir = (prefix: string) => realpathSync(mkdtempSync(join(tmpdir(), prefix)));
export const cliEnv = (home: string): NodeJS.ProcessEnv => ({ ...process.env, SPEC_KITTY_HOME: home, NO_COLOR: '1' });

/** The built CLI, run to completion; fails loudly unless it exits 0. */
export function sk(home: string, cwd: string, args: string[], input?: string): string {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, env: cliEnv(home), input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`spec-kitty ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

export interface Child {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** CPU time (user + system, ms) from /proc/<pid>/stat: the process's own, or that of its children it has waited for. */
export function cpuMs(pid: number | 'self', which: 'own' | 'children' = 'own'): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
  const at = which === 'own' ? 11 : 13;
  return ((Number(fields[at]) + Number(fields[at + 1])) * 1000) / CLOCK_TICKS;
}
const CLOCK_TICKS = 100; // sysconf(_SC_CLK_TCK) on Linux

/** Starts `node args…` and resolves with the first `pattern` match on its stdout (group 1); rejects if it exits first. */
function startChild(args: string[], env: NodeJS.ProcessEnv, pattern: RegExp): Promise<{ child: ChildProcess; match: string; pid: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    // Read to the end (a hub logs a line per request), keeping only a tail for error messages.
    const take = (d: Buffer) => {
      out = (out + d).slice(-4000);
      const m = pattern.exec(out);
      if (m) resolve({ child, match: m[1], pid: child.pid!, stop });
    };
    child.stdout!.on('data', take);
    child.stderr!.on('data', take);
    child.once('exit', (code) => reject(new Error(`${args.join(' ').slice(0, 200)} exited ${code}: ${out}`)));
  });
}

/** `spec-kitty hub serve --port 0 --db <db>` as its own process, with one user `name` of team `name`; `nodeArgs` go before the CLI. */
export async function startHub(db: string, home: string, name: string, nodeArgs: string[] = []): Promise<Child> {
  mkdirSync(home, { recursive: true });
  sk(home, home, ['hub', 'user', 'add', name, '--team', name, '--password-stdin', '--db', db], PASSWORD);
  const { match, pid, stop } = await startChild([...nodeArgs, CLI, 'hub', 'serve', '--port', '0', '--db', db], cliEnv(home), /listening on (http:\/\/\S+)/);
  return { url: match, pid, stop };
}

/** A server on 127.0.0.1 that accepts TCP and never answers, in a process of its own. */
export async function startBlackHole(): Promise<Child> {
  const code = "const s=require('net').createServer((c)=>c.on('error',()=>{}));s.listen(0,'127.0.0.1',()=>console.log('port '+s.address().port))";
  const { match, pid, stop } = await startChild(['-e', code], process.env, /port (\d+)/);
  return { url: `http://127.0.0.1:${match}`, pid, stop };
}

/** `spec-kitty auth login` into `home`, then its queue opened once (so no timed run is the first). */
export function logIn(home: string, server: string, username: string): void {
  mkdirSync(home, { recursive: true });
  sk(home, home, ['auth', 'login', '--server', server, '--username', username, '--password-stdin'], PASSWORD);
  sk(home, home, ['sync', 'status']);
}

/** Points a stored login at another server (the black hole), tokens kept: the CLI sees a login there. */
export function moveLogin(home: string, server: string): void {
  const file = join(home, 'credentials.json');
  const credentials = JSON.parse(readFileSync(file, 'utf8')) as { hub_url: string };
  writeFileSync(file, JSON.stringify({ ...credentials, hub_url: server }, null, '\t'));
  chmodSync(file, 0o600);
}

/** The live drainers of `home`: processes running `<CLI> sync drain` with `home` as cwd (startDrainer's). Linux /proc. */
export function drainers(home: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (argv[1] !== CLI || argv[2] !== 'sync' || argv[3] !== 'drain') continue;
      if (readlinkSync(`/proc/${name}/cwd`) === home && alive(Number(name))) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Running (not gone, not a zombie waiting for its reaper). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * Waits until every drainer of `home` has exited and says how long that took (ms). With `kill`,
 * each is sent SIGTERM first (the drainer releases what it claimed and exits). One still running
 * after `limitMs` is SIGKILLed, and that is counted in `forced`.
 */
export async function settleDrainers(home: string, options: { kill?: boolean; limitMs?: number } = {}): Promise<{ found: number; ms: number; forced: number }> {
  const { kill = false, limitMs = 15_000 } = options;
  const started = performance.now();
  const pids = drainers(home);
  if (kill) for (const pid of pids) process.kill(pid, 'SIGTERM');
  let forced = 0;
  for (const pid of pids) {
    while (alive(pid)) {
      if (performance.now() - started > limitMs) {
        process.kill(pid, 'SIGKILL');
        forced += 1;
        while (alive(pid)) await sleep(5);
        break;
      }
      await sleep(5);
    }
  }
  return { found: pids.length, ms: performance.now() - started, forced };
}

/** A project with WP01 in `planned`, made in `home`; copies of it give each timed run a real move. */
export function makeTemplate(work: string, home: string): string {
  const template = join(work, 'template');
  spawnSync('git', ['init', '-q', template]);
  sk(home, template, ['init']);
  sk(home, template, ['feature', 'create', 'Bench']);
  sk(home, template, ['wp', 'add', '001-bench', 'Work']);
  return template;
}

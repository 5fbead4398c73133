import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built bundle: e2e tests run what users run. `npm test` builds it first. */
export const CLI = fileURLToPath(new URL('../../dist/spec-kitty.cjs', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  /** SPEC_KITTY_HOME; every e2e test passes a temp folder, never the real home. */
  home: string;
  env?: Record<string, string>;
  input?: string;
}

export function tempDir(prefix = 'sk-'): string {
  return realpathSync(mkdtempSync(join(tmpdir(), prefix)));
}

export function cliEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, SPEC_KITTY_HOME: home, NO_COLOR: '1', ...extra };
}

/** Runs the real CLI as a child process. */
export function runCli(args: string[], opts: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [CLI, ...args], { cwd: opts.cwd, env: cliEnv(opts.home, opts.env), maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        const code = err ? (err as { code?: unknown }).code : 0;
        if (typeof code !== 'number') return reject(err);
        resolve({ code, stdout, stderr });
      });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

/** Runs the CLI and parses its stdout as JSON; fails loudly with stderr when it cannot. */
export async function runJson<T = any>(args: string[], opts: RunOptions): Promise<T> {
  const r = await runCli(args, opts);
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`spec-kitty ${args.join(' ')} exited ${r.code} without JSON.\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
}

/** Starts the CLI without waiting, e.g. to race several processes or kill one. */
export function spawnCli(args: string[], opts: RunOptions) {
  return spawn(process.execPath, [CLI, ...args], { cwd: opts.cwd, env: cliEnv(opts.home, opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
}

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Envelope } from '../../contract/index.js';
import { createLogger, type Logger } from '../../lib/logger.js';
import { machineNodeId } from '../../services/clock/node-id.js';
import type { TestQueue } from './services.js';
import { REPO_ROOT, tempDir } from './cli.js';
import { makeGitRepo } from './git.js';

/** A logger that keeps its lines, for asserting on warnings. */
export function captureLogger(): { logger: Logger; lines: string[]; nodeId: () => string } {
  const lines: string[] = [];
  return { logger: createLogger({ color: false, verbose: false, write: (l) => lines.push(l) }), lines, nodeId: () => machineNodeId() };
}

/** An in-memory queue: what the persist phase stored, with its state. */
export function memoryQueue(): { queue: TestQueue; stored: Array<{ envelope: Envelope; state: string }> } {
  const stored: Array<{ envelope: Envelope; state: string }> = [];
  return {
    stored,
    queue: {
      async enqueue(envelope, state) {
        if (stored.some((s) => s.envelope.event_id === envelope.event_id)) return { inserted: false };
        stored.push({ envelope, state });
        return { inserted: true };
      },
      async countPending() { return stored.filter((s) => s.state === 'pending').length; },
      async pruneSent() { return 0; },
    },
  };
}

/** A folder with `.kittify/` (optionally a git repo with origin, optionally a config.yaml). */
export function makeProject(options: { origin?: string; git?: boolean; name?: string; config?: string } = {}): string {
  let root: string;
  if (options.git || options.origin) root = makeGitRepo({ origin: options.origin, name: options.name });
  else {
    root = join(tempDir('sk-proj-'), options.name ?? 'project');
    mkdirSync(root, { recursive: true });
  }
  mkdirSync(join(root, '.kittify'), { recursive: true });
  if (options.config !== undefined) writeFileSync(join(root, '.kittify', 'config.yaml'), options.config);
  return root;
}

export interface ScriptRun {
  child: ChildProcess;
  /** Resolves once the script printed "ready" (it has loaded everything and waits at the barrier). */
  ready: Promise<void>;
  /** Releases the barrier. */
  go(): void;
  /** Exit code, stdout's last line parsed as JSON, and stderr. */
  done: Promise<{ code: number | null; result: any; stderr: string }>;
}

/**
 * Runs a TypeScript fixture as a real child process. Fixtures that race print "ready" and
 * wait for a line on stdin, so the test starts the contended part of all of them at once.
 */
export function runScript(script: string, args: string[], env: Record<string, string> = {}, options: { uid?: number; gid?: number } = {}): ScriptRun {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=spec-kitty-source', join(REPO_ROOT, script), ...args], {
    cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['pipe', 'pipe', 'pipe'], ...options,
  });
  let stdout = '';
  let stderr = '';
  let signalReady: () => void;
  const ready = new Promise<void>((resolve) => { signalReady = resolve; });
  child.stdout!.on('data', (d) => {
    stdout += d;
    if (stdout.startsWith('ready\n')) signalReady();
  });
  child.stderr!.on('data', (d) => { stderr += d; });
  const done = new Promise<{ code: number | null; result: any; stderr: string }>((resolve) => {
    child.on('close', (code) => {
      signalReady();
      const last = stdout.trim().split('\n').pop() ?? '';
      let result: unknown = null;
      try { result = JSON.parse(last); } catch { result = null; }
      resolve({ code, result, stderr });
    });
  });
  return { child, ready, done, go: () => child.stdin!.end('go\n') };
}

/** Starts all runs, waits until every one is at the barrier, releases them together. */
export async function raceScripts(runs: ScriptRun[]) {
  await Promise.all(runs.map((r) => r.ready));
  for (const r of runs) r.go();
  return Promise.all(runs.map((r) => r.done));
}

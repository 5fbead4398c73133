import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Envelope } from '../../contract/index.js';
import { runCli, runJson, tempDir, type RunResult } from '../helpers/cli.js';
import { makeGitRepo } from '../helpers/git.js';

export interface QueuedRow {
  seq: number;
  state: string;
  envelope: Envelope;
}

export interface WorkflowRepo {
  repo: string;
  home: string;
  run(...args: string[]): Promise<RunResult>;
  /** Runs a command that must succeed; fails with its output otherwise. */
  ok(...args: string[]): Promise<RunResult>;
  /** Every queued event, oldest first, read back through `sync queue --json`. */
  events(): Promise<QueuedRow[]>;
  identity(): { uuid: string; slug: string };
  tasks(feature: string): string;
}

/** A real git repo (origin acme/shop) after `spec-kitty init`, with its own SPEC_KITTY_HOME. */
export async function initRepo(): Promise<WorkflowRepo> {
  const repo = makeGitRepo({ origin: 'git@github.com:acme/shop.git' });
  const home = tempDir('sk-home-');
  const run = (...args: string[]) => runCli(args, { cwd: repo, home });
  const ok = async (...args: string[]) => {
    const r = await run(...args);
    if (r.code !== 0) throw new Error(`spec-kitty ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    return r;
  };
  await ok('init');
  return {
    repo, home, run, ok,
    async events() {
      const out = await runJson<{ events: QueuedRow[] }>(['sync', 'queue', '--json', '--limit', '0'], { cwd: repo, home });
      return out.events;
    },
    identity() {
      const config = parse(readFileSync(join(repo, '.kittify', 'config.yaml'), 'utf8')) as { project: { uuid: string; slug: string } };
      return config.project;
    },
    tasks: (feature) => join(repo, 'kitty-specs', feature, 'tasks'),
  };
}

/** [event_type, aggregate_id, previous → new] for compact comparisons. */
export const summary = (rows: QueuedRow[]) => rows.map(({ envelope: e }) =>
  e.event_type === 'WPStatusChanged'
    ? `${e.event_type} ${e.aggregate_id} ${String(e.payload.previous_status)}→${String(e.payload.new_status)}`
    : `${e.event_type} ${e.aggregate_id}`);

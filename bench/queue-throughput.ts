import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUILTIN_PLUGINS } from '../cli/builtins.js';
import { createEmitter } from '../cli/composition-root.js';
import type { EventDraft } from '../contract/index.js';

export interface ThroughputResult {
  eventsPerSecond: number;
  medianEmitMs: number;
  events: number;
  inFlight: number;
}

const LANES = ['planned', 'doing', 'for_review', 'done'] as const;

/** Every draft distinct, so dedupe-guard passes them all and each one is a real insert. */
function draft(i: number): EventDraft {
  const wp = `WP${String(i % 100).padStart(2, '0')}`;
  return {
    event_type: 'WPStatusChanged',
    aggregate_id: wp,
    aggregate_type: 'WorkPackage',
    payload: { wp_id: wp, previous_status: LANES[i % 3], new_status: LANES[(i % 3) + 1], changed_by: 'bench', feature_slug: `bench-${i}` },
  };
}

/**
 * In-process emit through the full default pipeline into the durable queue (DESIGN §7:
 * ≥ 5,000 events/s). Throughput with many emits in flight, as a busy command or the sync
 * runtime would; latency with one emit at a time, as a lane command does.
 */
export async function benchEmitThroughput(events = 5000, inFlight = 64, sequential = 300): Promise<ThroughputResult> {
  const work = mkdtempSync(join(tmpdir(), 'sk-bench-queue-'));
  const project = join(work, 'project');
  mkdirSync(join(project, '.kittify'), { recursive: true });
  const emitter = await createEmitter({ builtins: BUILTIN_PLUGINS, cwd: project, home: join(work, 'home') });
  let n = 0;
  const emitOne = async () => {
    const result = await emitter.emit(draft(n++));
    if (result.status !== 'emitted') throw new Error(`bench event was ${result.status}`);
  };
  try {
    for (let i = 0; i < 50; i++) await emitOne(); // open the file, load plugins, warm the JIT

    let left = events;
    const started = performance.now();
    await Promise.all(Array.from({ length: inFlight }, async () => {
      while (left-- > 0) await emitOne();
    }));
    const eventsPerSecond = events / ((performance.now() - started) / 1000);

    const samples: number[] = [];
    for (let i = 0; i < sequential; i++) {
      const t0 = performance.now();
      await emitOne();
      samples.push(performance.now() - t0);
    }
    samples.sort((a, b) => a - b);
    return { eventsPerSecond, medianEmitMs: samples[Math.floor(samples.length / 2)], events, inFlight };
  } finally {
    await emitter.close();
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await benchEmitThroughput();
  console.log(`emit throughput (full default pipeline, durable, ${r.inFlight} in flight): ${Math.round(r.eventsPerSecond)} events/s (budget ≥ 5000)`);
  console.log(`median single emit (one at a time): ${r.medianEmitMs.toFixed(2)} ms`);
}

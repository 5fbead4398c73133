import test from 'ava';
import { rebindServices, type TestQueue } from '../helpers/services.js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILTIN_PLUGINS } from '../../cli/builtins.js';
import { createEmitter } from '../../cli/composition-root.js';
import type { Envelope } from '../../contract/index.js';
import { TOKENS } from '../../core/tokens.js';
import { REPO_ROOT, tempDir } from '../helpers/cli.js';
import { draft } from '../helpers/pipeline.js';

/** A queue that refuses everything, to show where in the persist phase the example runs. */
const refusingQueue: TestQueue = {
  async enqueue() { throw new Error('disk full'); },
};

async function projectWithExample(position: 'before' | 'after') {
  const project = tempDir('sk-example-');
  mkdirSync(join(project, '.kittify'));
  writeFileSync(join(project, '.kittify', 'plugins.json'), JSON.stringify({
    plugins: [{ use: join(REPO_ROOT, 'examples/jsonl-log/index.js'), [position]: 'queue-persist', options: { file: 'events.jsonl' } }],
  }));
  const emitter = await createEmitter({ cwd: project, home: join(project, 'home'), builtins: BUILTIN_PLUGINS, rebind: rebindServices({ queue: refusingQueue }) });
  return { project, emitter };
}

const lines = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Envelope);

test('the example plugin receives events at the position .kittify/plugins.json gives it', async (t) => {
  const before = await projectWithExample('before');
  const order = before.emitter.plugins.map((p) => p.plugin?.name ?? p.entry.use);
  t.is(order.indexOf('jsonl-log') + 1, order.indexOf('queue-persist'));
  await t.throwsAsync(before.emitter.emit(draft()));
  // Before queue-persist it saw the event even though the queue then refused it…
  t.is(lines(join(before.project, 'events.jsonl'))[0].event_type, 'WPStatusChanged');

  const after = await projectWithExample('after');
  const names = after.emitter.plugins.map((p) => p.plugin?.name ?? p.entry.use);
  t.is(names.indexOf('queue-persist') + 1, names.indexOf('jsonl-log'));
  await t.throwsAsync(after.emitter.emit(draft()));
  // …after it, a refused event never reaches it.
  t.throws(() => readFileSync(join(after.project, 'events.jsonl')), { code: 'ENOENT' });
});

test('the example plugin validates its options up front', async (t) => {
  const project = tempDir('sk-example-');
  mkdirSync(join(project, '.kittify'));
  writeFileSync(join(project, '.kittify', 'plugins.json'), JSON.stringify({
    plugins: [{ use: join(REPO_ROOT, 'examples/jsonl-log/index.js'), options: { path: 'x' } }],
  }));
  const logs: string[] = [];
  const { createLogger } = await import('../../lib/logger.js');
  const emitter = await createEmitter({
    cwd: project, home: join(project, 'home'), builtins: BUILTIN_PLUGINS,
    logger: createLogger({ color: false, write: (l) => logs.push(l) }),
  });
  const entry = emitter.plugins.find((p) => p.entry.use.endsWith('index.js'))!;
  t.is(entry.status, 'error');
  t.regex(entry.error!, /invalid options: unknown option "path"/);
});

test('a failing mirror after queue-persist does not un-record an event the queue holds', async (t) => {
  const project = tempDir('sk-example-');
  mkdirSync(join(project, '.kittify'));
  // A folder where the JSONL file should be: every append fails.
  mkdirSync(join(project, 'events.jsonl'));
  writeFileSync(join(project, '.kittify', 'plugins.json'), JSON.stringify({
    plugins: [{ use: join(REPO_ROOT, 'examples/jsonl-log/index.js'), after: 'queue-persist', options: { file: 'events.jsonl' } }],
  }));
  const { createLogger } = await import('../../lib/logger.js');
  const emitter = await createEmitter({
    cwd: project, home: join(project, 'home'), builtins: BUILTIN_PLUGINS, logger: createLogger({ color: false, write: () => {} }),
  });
  const result = await emitter.emit(draft());
  t.is(result.status, 'emitted');
  t.regex(result.context.degraded.join(), /jsonl-log/);
  const queue = emitter.container.get(TOKENS.ReadQueue);
  t.deepEqual((await queue.list()).events.map((e) => e.envelope.event_id), [result.envelope.event_id]);
  await emitter.close();
});

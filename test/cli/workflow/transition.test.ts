import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import type { EmitResult } from '../../../core/bus.js';
import type { EventDraft } from '../../../contract/index.js';
import { PersistError, UserError } from '../../../core/errors.js';
import { createLogger } from '../../../lib/logger.js';
import { completeFeatureIfDone } from '../../../cli/workflow/feature-completion.js';
import { listFeatures, readMeta } from '../../../cli/workflow/feature-store.js';
import { transition, type TransitionDeps } from '../../../cli/workflow/transition.js';
import { makeProject, wpPath } from './fixtures.js';

/** `fail`: the event cannot be queued ('persist', before the change) or committed ('commit', after it). */
function fakeDeps(fail: false | 'persist' | 'commit' = false) {
  const drafts: EventDraft[] = [];
  const lines: string[] = [];
  const deps: TransitionDeps = {
    actor: 'Ada',
    logger: createLogger({ write: (l) => lines.push(l), color: false }),
    now: () => new Date('2025-02-01T10:00:00Z'),
    settle: async () => {},
    async emit(draft, change) {
      if (fail === 'persist') throw new PersistError('event not queued: disk full', 'queue-persist');
      await change?.apply();
      if (fail === 'commit') throw new PersistError('event not committed: disk full', 'queue-persist');
      drafts.push(draft);
      return { status: 'emitted', envelope: { event_id: '01ARZ3NDEKTSV4RRFFQ69G5FAV' } } as unknown as EmitResult;
    },
  };
  return { deps, drafts, lines };
}

function setup(lane = 'planned', extra = '') {
  const project = makeProject({ '001-cart': {} });
  const path = wpPath(project.root, '001-cart', 'WP01');
  writeFileSync(path, `---\nwork_package_id: WP01\ntitle: Cart\nlane: ${lane}\n${extra}---\n\n## Activity Log\n`);
  const feature = listFeatures(project)[0];
  return { project, feature, ref: { id: 'WP01', path }, path };
}

test('a move writes the file, then emits exactly one WPStatusChanged with the DESIGN §4 payload', async (t) => {
  const { project, feature, ref, path } = setup();
  const { deps, drafts } = fakeDeps();
  const out = await transition({ project, feature, ref, to: 'doing', note: 'Go', check: () => {} }, deps);
  t.true(out.changed);
  t.is(drafts.length, 1);
  t.deepEqual(drafts[0], {
    event_type: 'WPStatusChanged', aggregate_type: 'WorkPackage', aggregate_id: 'WP01',
    payload: { wp_id: 'WP01', previous_status: 'planned', new_status: 'doing', changed_by: 'Ada', feature_slug: '001-cart' },
  });
  const text = readFileSync(path, 'utf8');
  t.regex(text, /\nlane: doing\n/);
  t.true(text.endsWith('- 2025-02-01T10:00:00Z – Ada – lane=doing – Go\n'));
});

test('a move to the lane the WP is in emits nothing and leaves the file as it is', async (t) => {
  const { project, feature, ref, path } = setup('doing');
  const before = readFileSync(path, 'utf8');
  const { deps, drafts } = fakeDeps();
  let checked = false;
  const out = await transition({ project, feature, ref, to: 'doing', note: 'x', check: () => { checked = true; } }, deps);
  t.false(out.changed);
  t.false(checked);
  t.is(drafts.length, 0);
  t.is(readFileSync(path, 'utf8'), before);
});

test('a refused move emits nothing and leaves the file as it is', async (t) => {
  const { project, feature, ref, path } = setup();
  const before = readFileSync(path, 'utf8');
  const { deps, drafts } = fakeDeps();
  await t.throwsAsync(transition({ project, feature, ref, to: 'done', note: 'x', check: () => { throw new UserError('no'); } }, deps), { message: 'no' });
  t.is(drafts.length, 0);
  t.is(readFileSync(path, 'utf8'), before);
});

test('when the event cannot be queued the file is never written and the error propagates', async (t) => {
  const { project, feature, ref, path } = setup('planned', 'custom: keep # me\n');
  const before = readFileSync(path, 'utf8');
  const { deps, lines } = fakeDeps('persist');
  await t.throwsAsync(transition({ project, feature, ref, to: 'doing', note: 'x', check: () => {} }, deps), { name: 'PersistError' });
  t.is(readFileSync(path, 'utf8'), before);
  t.regex(lines.join('\n'), /WP01 was not moved: its event could not be queued, so kitty-specs\/001-cart\/tasks\/WP01-task\.md is as it was \(lane planned\)/);
});

test('when the event cannot be committed after the write, the file is put back byte for byte', async (t) => {
  const { project, feature, ref, path } = setup('planned', 'custom: keep # me\n');
  const before = readFileSync(path, 'utf8');
  const { deps, lines } = fakeDeps('commit');
  await t.throwsAsync(transition({ project, feature, ref, to: 'doing', note: 'x', check: () => {} }, deps), { name: 'PersistError' });
  t.is(readFileSync(path, 'utf8'), before);
  t.regex(lines.join('\n'), /WP01 was not moved: its event could not be queued, so kitty-specs\/001-cart\/tasks\/WP01-task\.md is as it was/);
});

test('concurrent moves of one WP yield one transition and one event', async (t) => {
  const { project, feature, ref } = setup();
  const { deps, drafts } = fakeDeps();
  const outs = await Promise.all([1, 2, 3].map(() => transition({ project, feature, ref, to: 'doing', note: 'x', check: () => {} }, deps)));
  t.is(outs.filter((o) => o.changed).length, 1);
  t.is(drafts.length, 1);
});

test('FeatureCompleted is emitted once, when every WP is done, and recorded in meta.json', async (t) => {
  const project = makeProject({ '001-cart': { WP01: 'done', WP02: 'for_review' } });
  writeFileSync(`${project.specsDir}/001-cart/meta.json`, JSON.stringify({ feature_number: '001', slug: '001-cart', friendly_name: 'Cart', custom: [1] }, null, 2));
  const feature = listFeatures(project)[0];
  const { deps, drafts } = fakeDeps();
  t.like(await completeFeatureIfDone(project, feature, deps), { completed: false, reason: 'not-done' });
  writeFileSync(wpPath(project.root, '001-cart', 'WP02'), '---\nlane: done\n---\n');
  t.like(await completeFeatureIfDone(project, feature, deps), { completed: true, wpCount: 2 });
  t.like(await completeFeatureIfDone(project, feature, deps), { completed: false, reason: 'already' });
  t.deepEqual(drafts.map((d) => [d.event_type, d.aggregate_type, d.aggregate_id]), [['FeatureCompleted', 'Feature', '001-cart']]);
  t.deepEqual(drafts[0].payload, { feature_slug: '001-cart', feature_number: '001', name: 'Cart', wp_count: 2 });
  const meta = readMeta(feature, project);
  t.deepEqual(meta.custom, [1]);
  t.is(typeof meta.completed_at, 'string');
});

test('a FeatureCompleted that cannot be queued leaves meta.json as it was, so a re-run emits it', async (t) => {
  const project = makeProject({ '001-cart': { WP01: 'done' } });
  const metaPath = `${project.specsDir}/001-cart/meta.json`;
  writeFileSync(metaPath, '{"slug":"001-cart"}');
  const feature = listFeatures(project)[0];
  await t.throwsAsync(completeFeatureIfDone(project, feature, fakeDeps('persist').deps), { name: 'PersistError' });
  t.is(readFileSync(metaPath, 'utf8'), '{"slug":"001-cart"}');
  const ok = fakeDeps();
  t.like(await completeFeatureIfDone(project, feature, ok.deps), { completed: true });
  t.is(ok.drafts.length, 1);
});

test('a feature without WPs is never complete', async (t) => {
  const project = makeProject({ '001-cart': {} });
  const { deps, drafts } = fakeDeps();
  t.like(await completeFeatureIfDone(project, listFeatures(project)[0], deps), { completed: false, reason: 'no-wps' });
  t.is(drafts.length, 0);
});

test('a transition a guard drops is not made: the file is put back and the command says why', async (t) => {
  const { project, feature, ref, path } = setup();
  const before = readFileSync(path, 'utf8');
  const { deps } = fakeDeps();
  deps.emit = async () => ({ status: 'dropped', drop: { plugin: 'dedupe-guard', reason: 'same event within 60000 ms' } }) as unknown as EmitResult;
  const err = await t.throwsAsync(transition({ project, feature, ref, to: 'doing', note: 'Go', check: () => {} }, deps), { instanceOf: UserError });
  t.regex(err!.message, /WP01 was not moved: its status change was dropped by dedupe-guard \(same event within 60000 ms\)/);
  t.is(readFileSync(path, 'utf8'), before);
});

test('a pipeline whose persist tap does not make the event durable leaves the WP file unchanged', async (t) => {
  const { makePipeline } = await import('../../helpers/pipeline.js');
  const { project, feature, ref, path } = setup();
  const before = readFileSync(path, 'utf8');
  const { emitter } = await makePipeline([{ use: 'lookalike' }], {
    lookalike: { name: 'lookalike', apply(hooks) { hooks.persist.tap('lookalike', () => {}); } },
  });
  const { deps, lines } = fakeDeps();
  deps.emit = (draft) => emitter.emit(draft);
  await t.throwsAsync(transition({ project, feature, ref, to: 'doing', note: 'Go', check: () => {} }, deps), { instanceOf: PersistError });
  t.is(readFileSync(path, 'utf8'), before);
  t.regex(lines.join('\n'), /WP01 was not moved: its event could not be queued/);
});

import { UserError } from '../../../core/errors.js';
import { bold, dim, print, printJson } from '../../output.js';
import { completeFeatureIfDone, type CompletionOutcome } from '../../workflow/feature-completion.js';
import { listFeatures, type Feature } from '../../workflow/feature-store.js';
import type { WorkflowProject } from '../../workflow/project.js';
import { inferFeature } from '../../workflow/resolve-wp.js';
import { transition, type TransitionOutcome } from '../../workflow/transition.js';
import { listWpRefs, readAllWps, readWp } from '../../workflow/wp-store.js';
import type { LaneCommandOptions } from '../lanes.js';
import { completedLine, laneContext, moveJson, moveLine } from './shared.js';

export async function accept(opts: LaneCommandOptions): Promise<void> {
  const { project, deps } = laneContext();
  const feature = inferFeature(project, { cwd: process.cwd(), feature: opts.feature }) ?? onlyFeatureInReview(project);

  // Every file is read before anything moves: a broken one stops the command with nothing emitted.
  const inReview = readAllWps(project, feature).filter((wp) => wp.lane === 'for_review');
  const moved: TransitionOutcome[] = [];
  for (const wp of inReview) {
    const outcome = await transition({
      project, feature, ref: { id: wp.id, path: wp.path }, to: 'done', note: opts.note ?? 'Accepted',
      check: (current) => {
        if (current.lane !== 'for_review') {
          throw new UserError(`${current.id} moved to ${current.lane} while accept was running; run spec-kitty accept again`);
        }
      },
    }, deps);
    // Unchanged means another run accepted it meanwhile: its event is theirs.
    if (!outcome.changed) continue;
    moved.push(outcome);
    // Shown as it happens, so a failure further down still leaves an accurate account.
    if (!opts.json) print(moveLine(outcome, feature));
  }
  const completion = await completeFeatureIfDone(project, feature, deps);
  report(feature, moved, completion, opts);
}

/** Without --feature and nothing else to go on: the one feature that has work waiting for review. */
function onlyFeatureInReview(project: WorkflowProject): Feature {
  const features = listFeatures(project);
  if (features.length === 0) throw new UserError('there are no features yet; create one with: spec-kitty feature create "<name>"');
  const waiting = features.filter((f) => listWpRefs(f).some((ref) => readWp(project, ref).lane === 'for_review'));
  if (waiting.length === 1) return waiting[0];
  if (waiting.length === 0) {
    throw new UserError(`nothing to accept: no work package is in for_review in any feature (${features.map((f) => f.slug).join(', ')}).\n` +
      'Hand work in with: spec-kitty review <WP>');
  }
  throw new UserError(`several features have work in for_review: ${waiting.map((f) => f.slug).join(', ')}.\n` +
    `Say which with --feature, e.g.: spec-kitty accept --feature ${waiting[0].slug}`);
}

function report(feature: Feature, moved: TransitionOutcome[], completion: CompletionOutcome, opts: LaneCommandOptions): void {
  if (opts.json) {
    printJson({
      feature_slug: feature.slug,
      accepted: moved.map((o) => moveJson(o, feature)),
      feature_completed: completion.completed,
      completed_at: completion.completed || completion.reason === 'already' ? completion.completedAt : null,
    });
    return;
  }
  if (moved.length === 0) print(`Nothing to accept in ${feature.slug}: no work package is in for_review.`);
  if (completion.completed) print(completedLine(feature, completion.wpCount));
  else if (completion.reason === 'already') print(dim(`${feature.slug} was completed at ${completion.completedAt}.`));
  else if (moved.length > 0) print(dim(`${bold(feature.slug)} still has work in progress: see spec-kitty status --feature ${feature.slug}`));
}

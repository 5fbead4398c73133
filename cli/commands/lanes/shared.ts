import type { Lane } from '../../../contract/index.js';
import { UserError } from '../../../core/errors.js';
import { bold, dim, print, printJson } from '../../output.js';
import { cliLogger, emit, settle } from '../../runtime.js';
import { currentActor } from '../../workflow/actor.js';
import type { Feature } from '../../workflow/feature-store.js';
import { completeFeatureIfDone, type CompletionOutcome } from '../../workflow/feature-completion.js';
import { unmetDependencies } from '../../workflow/lanes.js';
import { requireWorkflowProject, type WorkflowProject } from '../../workflow/project.js';
import { resolveWp } from '../../workflow/resolve-wp.js';
import { transition, type TransitionDeps, type TransitionOutcome } from '../../workflow/transition.js';
import type { WpFile } from '../../workflow/wp-file.js';
import { findWpRef, readWp } from '../../workflow/wp-store.js';
import type { LaneCommandOptions } from '../lanes.js';

export function laneContext(): { project: WorkflowProject; deps: TransitionDeps } {
  const project = requireWorkflowProject(process.cwd());
  return { project, deps: { emit, settle, logger: cliLogger(), actor: currentActor(project.root) } };
}

/** Moves one WP named on the command line; `check` holds the command's own rule. */
export async function moveOne(
  command: string, input: string, to: Lane, opts: LaneCommandOptions, check: (wp: WpFile, ctx: { project: WorkflowProject; feature: Feature }) => void,
): Promise<{ outcome: TransitionOutcome; feature: Feature; project: WorkflowProject; deps: TransitionDeps }> {
  const { project, deps } = laneContext();
  const { feature, ref } = resolveWp(project, input, {
    cwd: process.cwd(), feature: opts.feature, example: (f) => `spec-kitty ${command} ${input} --feature ${f}`,
  });
  const outcome = await transition({
    project, feature, ref, to, note: opts.note ?? `Moved to ${to}`,
    check: (wp) => check(wp, { project, feature }),
  }, deps);
  return { outcome, feature, project, deps };
}

/** Refuses to start a WP whose dependencies are not done. */
export function requireDependenciesDone(wp: WpFile, project: WorkflowProject, feature: Feature, command: string): void {
  const unmet = unmetDependencies(wp.dependencies, (id) => {
    const ref = findWpRef(project, feature, id);
    return ref ? readWp(project, ref).lane : undefined;
  });
  if (unmet.length === 0) return;
  const list = unmet.map((d) => `${d.id} (${d.lane === 'missing' ? `not found in ${feature.slug}` : d.lane})`).join(', ');
  throw new UserError(`${wp.id} depends on ${list}, which must be done first.\n` +
    `Finish ${unmet.length > 1 ? 'them' : 'it'} first, fix the dependencies in ${wp.displayPath}, or run: ${command} --force`);
}

export function reportMove(r: { outcome: TransitionOutcome; feature: Feature }, opts: LaneCommandOptions, completion?: CompletionOutcome): void {
  const { outcome, feature } = r;
  if (opts.json) {
    printJson({
      ...moveJson(outcome, feature),
      ...(completion ? { feature_completed: completion.completed } : {}),
    });
    return;
  }
  print(moveLine(outcome, feature));
  if (completion?.completed) print(completedLine(feature, completion.wpCount));
}

export function moveJson(outcome: TransitionOutcome, feature: Feature) {
  return {
    wp_id: outcome.wp.id,
    feature_slug: feature.slug,
    title: outcome.wp.title,
    file: outcome.wp.displayPath,
    changed: outcome.changed,
    previous_status: outcome.changed ? outcome.from : outcome.wp.lane,
    new_status: outcome.changed ? outcome.to : outcome.wp.lane,
    event_id: outcome.changed && outcome.result.status === 'emitted' ? outcome.result.envelope.event_id : null,
  };
}

export function moveLine(outcome: TransitionOutcome, feature: Feature): string {
  if (!outcome.changed) return `${outcome.wp.id} is already in ${outcome.wp.lane}; nothing changed.`;
  return `${bold(outcome.wp.id)} ${outcome.from} → ${outcome.to}  ${dim(`${feature.slug}: ${outcome.wp.title}`)}`;
}

export const completedLine = (feature: Feature, count: number) =>
  `${bold(feature.slug)} is complete: all ${count} work package${count === 1 ? '' : 's'} done.`;

export async function completeIfLastDone(project: WorkflowProject, feature: Feature, deps: TransitionDeps, outcome: TransitionOutcome): Promise<CompletionOutcome | undefined> {
  if (!outcome.changed || outcome.to !== 'done') return undefined;
  return completeFeatureIfDone(project, feature, deps);
}

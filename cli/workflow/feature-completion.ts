import { existsSync, readFileSync, rmSync } from 'node:fs';
import type { EmitResult } from '../../core/bus.js';
import { writeFileAtomic } from '../../lib/atomic-write.js';
import { featureCompleted } from './events.js';
import { featureName, metaText, readMeta, type Feature } from './feature-store.js';
import { fileChange } from './file-change.js';
import { UserError } from '../../core/errors.js';
import { withFileLock } from './file-lock.js';
import type { WorkflowProject } from './project.js';
import type { TransitionDeps } from './transition.js';
import { readAllWps } from './wp-store.js';

export type CompletionOutcome =
  | { completed: false; reason: 'not-done' | 'no-wps' }
  | { completed: false; reason: 'already'; completedAt: string }
  | { completed: true; completedAt: string; wpCount: number; result: EmitResult };

/**
 * Emits FeatureCompleted when every WP of the feature is done, once: the first time is
 * recorded as `completed_at` in meta.json, written as the event's change (see EmitChange),
 * so later runs see it and stay quiet.
 */
export async function completeFeatureIfDone(project: WorkflowProject, feature: Feature, deps: TransitionDeps): Promise<CompletionOutcome> {
  return withFileLock(feature.metaPath, project.display(feature.metaPath), async () => {
    await deps.settle(feature.metaPath);
    const wps = readAllWps(project, feature);
    if (wps.length === 0) return { completed: false, reason: 'no-wps' };
    if (wps.some((wp) => wp.lane !== 'done')) return { completed: false, reason: 'not-done' };
    const meta = readMeta(feature, project);
    if (typeof meta.completed_at === 'string' && meta.completed_at) {
      return { completed: false, reason: 'already', completedAt: meta.completed_at };
    }
    const previous = existsSync(feature.metaPath) ? readFileSync(feature.metaPath, 'utf8') : null;
    const completedAt = (deps.now ?? (() => new Date()))().toISOString();
    const change = fileChange(feature.metaPath, metaText({ ...meta, completed_at: completedAt }), { expect: { key: 'completed_at' } });
    try {
      const result = await deps.emit(featureCompleted({
        feature_slug: feature.slug, feature_number: feature.number, name: featureName(feature, meta), wp_count: wps.length,
      }), change);
      if (result.status === 'dropped') {
        throw new UserError(`${feature.slug} was not marked complete: its FeatureCompleted event was dropped by ${result.drop.plugin} (${result.drop.reason}).`);
      }
      return { completed: true, completedAt, wpCount: wps.length, result };
    } catch (err) {
      if (err instanceof UserError) throw err;
      // Same reasoning as for lane moves (transition.ts): without its event, the mark would
      // stop any later run from emitting FeatureCompleted, so it is taken back.
      if (change.written) {
        if (previous === null) rmSync(feature.metaPath, { force: true });
        else writeFileAtomic(feature.metaPath, previous);
      }
      deps.logger.error(`${feature.slug} was not marked complete: its FeatureCompleted event could not be queued. ` +
        'Run `spec-kitty accept` again once the cause is fixed.');
      throw err;
    }
  });
}

import { mkdirSync } from 'node:fs';
import { UserError } from '../../../core/errors.js';
import { bold, dim, print, printJson } from '../../output.js';
import { cliLogger, emit, settle } from '../../runtime.js';
import { featureCreated } from '../../workflow/events.js';
import { fileChange } from '../../workflow/file-change.js';
import { withFileLock } from '../../workflow/file-lock.js';
import {
  createFeatureFolder, featureCreateLock, metaText, planFeature, removeFeatureTemps, removeNewFeature,
} from '../../workflow/feature-store.js';
import { requireWorkflowProject } from '../../workflow/project.js';

export async function createFeatureCommand(name: string, opts: { json?: boolean }): Promise<void> {
  if (!name.trim()) throw new UserError('the feature name is empty; e.g.: spec-kitty feature create "Checkout flow"', 2);
  const project = requireWorkflowProject(process.cwd());
  mkdirSync(project.specsDir, { recursive: true });
  const lock = featureCreateLock(project);
  const { feature, meta, eventId } = await withFileLock(lock, project.display(project.specsDir), async () => {
    await settle(lock);
    removeFeatureTemps(project);
    const planned = planFeature(project, name, new Date());
    // The folder appears, whole, only once FeatureCreated is durable: they are one unit (see EmitChange).
    const change = fileChange(planned.feature.metaPath, metaText(planned.meta), {
      lock, expect: 'exists', write: (_path, text) => createFeatureFolder(project, planned.feature, text),
    });
    let result;
    try {
      result = await emit(featureCreated({ feature_slug: planned.feature.slug, feature_number: planned.feature.number, name: planned.meta.friendly_name ?? name }), change);
    } catch (err) {
      if (change.written) removeNewFeature(planned.feature);
      cliLogger().error(`${project.display(planned.feature.dir)} was not created: its FeatureCreated event could not be queued.`);
      throw err;
    }
    if (result.status === 'dropped') {
      throw new UserError(`${planned.feature.slug} was not created: its FeatureCreated event was dropped by ${result.drop.plugin} (${result.drop.reason}).`);
    }
    return { ...planned, eventId: result.envelope.event_id };
  });
  if (opts.json) {
    printJson({ feature_slug: feature.slug, feature_number: feature.number, name: meta.friendly_name, dir: project.display(feature.dir), event_id: eventId });
    return;
  }
  print(`Created ${bold(feature.slug)}  ${dim(project.display(feature.dir))}`);
  print(dim(`Next: spec-kitty wp add ${feature.slug} "<title>"`));
}

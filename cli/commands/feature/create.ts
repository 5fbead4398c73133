import { bold, dim, print, printJson } from '../../output.js';
import { cliLogger, emit } from '../../runtime.js';
import { featureCreated } from '../../workflow/events.js';
import { createFeature, removeNewFeature } from '../../workflow/feature-store.js';
import { requireWorkflowProject } from '../../workflow/project.js';
import { UserError } from '../../../core/errors.js';

export async function createFeatureCommand(name: string, opts: { json?: boolean }): Promise<void> {
  if (!name.trim()) throw new UserError('the feature name is empty; e.g.: spec-kitty feature create "Checkout flow"', 2);
  const project = requireWorkflowProject(process.cwd());
  const { feature, meta } = createFeature(project, name, new Date());
  let eventId: string | null = null;
  try {
    const result = await emit(featureCreated({ feature_slug: feature.slug, feature_number: feature.number, name: meta.friendly_name ?? name }));
    if (result.status === 'emitted') eventId = result.envelope.event_id;
  } catch (err) {
    // A feature nobody heard of would never reach the hub; take it back so a re-run records both (see workflow/transition.ts).
    removeNewFeature(feature);
    cliLogger().error(`${project.display(feature.dir)} was not created: its FeatureCreated event could not be queued.`);
    throw err;
  }
  if (opts.json) {
    printJson({ feature_slug: feature.slug, feature_number: feature.number, name: meta.friendly_name, dir: project.display(feature.dir), event_id: eventId });
    return;
  }
  print(`Created ${bold(feature.slug)}  ${dim(project.display(feature.dir))}`);
  print(dim(`Next: spec-kitty wp add ${feature.slug} "<title>"`));
}

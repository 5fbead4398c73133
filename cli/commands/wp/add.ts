import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../../core/errors.js';
import { bold, dim, print, printJson } from '../../output.js';
import { cliLogger, emit } from '../../runtime.js';
import { appendActivity } from '../../workflow/activity-log.js';
import { currentActor } from '../../workflow/actor.js';
import { createFileExclusive } from '../../../lib/atomic-write.js';
import { wpCreated } from '../../workflow/events.js';
import { listFeatures, matchFeature } from '../../workflow/feature-store.js';
import { requireWorkflowProject } from '../../workflow/project.js';
import { formatWpId, nextNumber, normalizeWpId, slugify } from '../../workflow/slug.js';
import { renderNewWp } from '../../workflow/wp-file.js';
import { listWpRefs } from '../../workflow/wp-store.js';

function parseDeps(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  const out: string[] = [];
  for (const part of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const id = normalizeWpId(part);
    if (!id) throw new UserError(`--deps: "${part}" is not a work package id; use e.g. --deps WP01,WP02`, 2);
    if (!out.includes(id)) out.push(id);
  }
  return out;
}

export async function addWp(featureQuery: string, title: string, opts: { deps?: string; json?: boolean }): Promise<void> {
  const cleanTitle = title.replace(/\s+/g, ' ').trim();
  if (!cleanTitle) throw new UserError('the title is empty; e.g.: spec-kitty wp add 001-checkout "Cart model"', 2);
  const deps = parseDeps(opts.deps);
  const project = requireWorkflowProject(process.cwd());
  const feature = matchFeature(project, listFeatures(project), featureQuery);
  const actor = currentActor(project.root);
  const fileSlug = slugify(cleanTitle) || 'work-package';

  let created: { id: string; path: string; text: string } | null = null;
  // Another `wp add` may take the same id between listing and writing: the exclusive create fails and the next id is tried.
  for (let attempt = 0; attempt < 20 && !created; attempt++) {
    const existing = listWpRefs(feature).map((r) => r.id);
    const missing = deps.filter((d) => !existing.includes(d));
    if (missing.length > 0) {
      throw new UserError(`--deps: ${missing.join(', ')} ${missing.length > 1 ? 'do' : 'does'} not exist in ${feature.slug}` +
        ` (${existing.length ? `it has ${existing.join(', ')}` : 'it has no work packages yet'}); add ${missing.length > 1 ? 'them' : 'it'} first`);
    }
    const n = nextNumber(existing.map((id) => Number(id.slice(2))));
    if (n > 99) throw new UserError(`${feature.slug} already has WP99, the last two-digit id; split the work into another feature`);
    const id = formatWpId(n);
    const path = join(feature.tasksDir, `${id}-${fileSlug}.md`);
    const text = appendActivity(renderNewWp({ id, title: cleanTitle, dependencies: deps }),
      { at: new Date(), actor, lane: 'planned', note: 'Created with spec-kitty wp add' });
    try {
      createFileExclusive(path, text);
      created = { id, path, text };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  if (!created) throw new UserError('could not claim a work package id: other processes kept taking them; run the command again');

  let eventId: string | null = null;
  try {
    const result = await emit(wpCreated({ wp_id: created.id, title: cleanTitle, feature_slug: feature.slug, dependencies: deps }));
    if (result.status === 'emitted') eventId = result.envelope.event_id;
  } catch (err) {
    // Without its event the WP would never reach the hub: take the new file back so a re-run records both (see workflow/transition.ts).
    rmSync(created.path, { force: true });
    cliLogger().error(`${created.id} was not added: its WPCreated event could not be queued.`);
    throw err;
  }
  if (opts.json) {
    printJson({ wp_id: created.id, title: cleanTitle, feature_slug: feature.slug, lane: 'planned', dependencies: deps, file: project.display(created.path), event_id: eventId });
    return;
  }
  print(`Added ${bold(created.id)} to ${feature.slug}: ${cleanTitle}  ${dim(project.display(created.path))}`);
  print(dim(`Start it with: spec-kitty implement ${created.id}${listFeatures(project).length > 1 ? ` --feature ${feature.slug}` : ''}`));
}

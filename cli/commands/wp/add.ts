import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../../core/errors.js';
import { bold, dim, print, printJson } from '../../output.js';
import { cliLogger, emit, settle } from '../../runtime.js';
import { appendActivity } from '../../workflow/activity-log.js';
import { currentActor } from '../../workflow/actor.js';
import { createFileExclusive } from '../../../lib/atomic-write.js';
import { wpCreated } from '../../workflow/events.js';
import { fileChange } from '../../workflow/file-change.js';
import { withFileLock } from '../../workflow/file-lock.js';
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

  // WP ids of a feature are handed out under one lock: two `wp add` never take the same id.
  const lock = join(feature.tasksDir, '.wp-add');
  const created = await withFileLock(lock, project.display(feature.tasksDir), async () => {
    await settle(lock);
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
    // The file appears only once WPCreated is durable: they are one unit (see EmitChange).
    const change = fileChange(path, text, { lock, write: createFileExclusive, expect: 'exists' });
    let result;
    try {
      result = await emit(wpCreated({ wp_id: id, title: cleanTitle, feature_slug: feature.slug, dependencies: deps }), change);
    } catch (err) {
      if (change.written) rmSync(path, { force: true });
      cliLogger().error(`${id} was not added: its WPCreated event could not be queued.`);
      throw err;
    }
    if (result.status === 'dropped') {
      throw new UserError(`${id} was not added: its WPCreated event was dropped by ${result.drop.plugin} (${result.drop.reason}).`);
    }
    return { id, path, eventId: result.envelope.event_id };
  });
  const eventId = created.eventId;
  if (opts.json) {
    printJson({ wp_id: created.id, title: cleanTitle, feature_slug: feature.slug, lane: 'planned', dependencies: deps, file: project.display(created.path), event_id: eventId });
    return;
  }
  print(`Added ${bold(created.id)} to ${feature.slug}: ${cleanTitle}  ${dim(project.display(created.path))}`);
  print(dim(`Start it with: spec-kitty implement ${created.id}${listFeatures(project).length > 1 ? ` --feature ${feature.slug}` : ''}`));
}

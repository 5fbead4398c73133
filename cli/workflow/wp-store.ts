import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../core/errors.js';
import type { Feature } from './feature-store.js';
import type { WorkflowProject } from './project.js';
import { parseWpFile, type WpFile } from './wp-file.js';

/** A WP file found by name, not yet read. */
export interface WpRef {
  id: string;
  path: string;
}

// `WP01-build-cart.md`, or a bare `WP01.md`.
const WP_FILE = /^(WP\d{2})(?:-.*)?\.md$/;

export function listWpRefs(feature: Feature): WpRef[] {
  if (!existsSync(feature.tasksDir)) return [];
  return readdirSync(feature.tasksDir, { withFileTypes: true })
    .filter((e) => e.isFile() && WP_FILE.test(e.name))
    .map((e) => ({ id: WP_FILE.exec(e.name)![1], path: join(feature.tasksDir, e.name) }))
    .sort((a, b) => a.id.localeCompare(b.id) || a.path.localeCompare(b.path));
}

/** The one file of `id` in the feature, or null; two files claiming one id is an error. */
export function findWpRef(project: WorkflowProject, feature: Feature, id: string): WpRef | null {
  const refs = listWpRefs(feature).filter((r) => r.id === id);
  if (refs.length > 1) {
    throw new UserError(`${refs.length} files claim ${id} in ${feature.slug}: ${refs.map((r) => project.display(r.path)).join(', ')}\n` +
      'Rename or remove all but one, then run the command again.');
  }
  return refs[0] ?? null;
}

export function readWp(project: WorkflowProject, ref: WpRef): WpFile {
  return parseWpFile(readFileSync(ref.path, 'utf8'), ref.path, project.display(ref.path), ref.id);
}

/** Every WP of the feature, read and checked up front, so a broken file stops a command before it changes anything. */
export function readAllWps(project: WorkflowProject, feature: Feature): WpFile[] {
  const refs = listWpRefs(feature);
  const seen = new Set<string>();
  for (const r of refs) {
    if (seen.has(r.id)) findWpRef(project, feature, r.id);
    seen.add(r.id);
  }
  return refs.map((r) => readWp(project, r));
}

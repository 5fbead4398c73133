import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../helpers/cli.js';
import { findWorkflowProject, type WorkflowProject } from '../../../cli/workflow/project.js';

/** A project folder with `.kittify/` and the given features: { '001-a': { WP01: 'planned' } }. */
export function makeProject(features: Record<string, Record<string, string>>): WorkflowProject {
  const root = tempDir('sk-wf-');
  mkdirSync(join(root, '.kittify'));
  for (const [slug, wps] of Object.entries(features)) {
    mkdirSync(join(root, 'kitty-specs', slug, 'tasks'), { recursive: true });
    for (const [id, lane] of Object.entries(wps)) writeWp(root, slug, id, lane);
  }
  return findWorkflowProject(root)!;
}

export function wpPath(root: string, slug: string, id: string): string {
  return join(root, 'kitty-specs', slug, 'tasks', `${id}-task.md`);
}

export function writeWp(root: string, slug: string, id: string, lane: string, extra = ''): string {
  const path = wpPath(root, slug, id);
  writeFileSync(path, `---\nwork_package_id: ${id}\ntitle: Task ${id}\nlane: ${lane}\n${extra}---\n\n## Activity Log\n`);
  return path;
}

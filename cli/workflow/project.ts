import { join, relative, resolve } from 'node:path';
import { UserError } from '../../core/errors.js';
import { findUp, isDirectory } from '../../lib/find-up.js';
import { findProjectRoot } from '../../services/identity/project-root.js';

export const SPECS_DIR = 'kitty-specs';

export interface WorkflowProject {
  root: string;
  specsDir: string;
  /** Paths as users see them in messages: relative to the project root. */
  display(path: string): string;
}

/**
 * The project holding `kitty-specs/`: the `.kittify/` root, or else (a project that
 * predates `.kittify/`) the nearest folder with `kitty-specs/`.
 */
export function findWorkflowProject(cwd: string): WorkflowProject | null {
  const base = findProjectRoot(cwd) ?? findUp(cwd, (dir) => isDirectory(join(dir, SPECS_DIR)));
  if (!base) return null;
  return { root: base, specsDir: join(base, SPECS_DIR), display: (p) => relative(base, p) || '.' };
}

export function requireWorkflowProject(cwd: string): WorkflowProject {
  const project = findWorkflowProject(cwd);
  if (!project) {
    throw new UserError(`not inside a spec-kitty project: no .kittify/ or ${SPECS_DIR}/ in ${resolve(cwd)} or above.\n` +
      'Run `spec-kitty init` at the root of your repository first.');
  }
  return project;
}

import { mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError, messageOf } from '../../../core/errors.js';
import { CONFIG_FILE } from '../../../services/identity/config-file.js';
import { withKittifyLock } from '../../../services/identity/kittify-lock.js';
import { machineNodeId } from '../../../services/clock/node-id.js';
import { resolveIdentityAt } from '../../../services/identity/resolve-identity.js';
import { KITTIFY_DIR, findProjectRoot } from '../../../services/identity/project-root.js';
import { bold, dim, print, printJson } from '../../output.js';
import { TOKENS } from '../../../core/tokens.js';
import { cliLogger, cliServices } from '../../runtime.js';
import { ensureGitignore } from './gitignore.js';

export const SPECS_DIR = 'kitty-specs';

interface Report {
  root: string;
  project_uuid: string;
  project_slug: string;
  created: string[];
  updated: string[];
  unchanged: string[];
  /** Events held in this folder before it had an identity, now stamped with it and pending. */
  adopted_held_events: number;
}

/** mkdir that reports whether it made the folder, with an error the user can act on. */
function ensureDir(path: string): boolean {
  const existing = statSync(path, { throwIfNoEntry: false });
  if (existing?.isDirectory()) return false;
  if (existing) throw new UserError(`${path} exists and is not a folder; move it away and run "spec-kitty init" again.`);
  try {
    mkdirSync(path, { recursive: true });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new UserError(`cannot create ${path}: ${messageOf(err)}`);
  }
}

export async function initProject(dir: string | undefined, opts: { json?: boolean }): Promise<void> {
  // Without a folder, init means "this project": run from a subfolder, it finds the existing root.
  const root = dir ? resolve(dir) : findProjectRoot(process.cwd()) ?? process.cwd();
  const report: Report = { root, project_uuid: '', project_slug: '', created: [], updated: [], unchanged: [], adopted_held_events: 0 };
  const note = (path: string, what: 'created' | 'updated' | 'unchanged') => report[what].push(path);

  ensureDir(root);
  note(`${KITTIFY_DIR}/`, ensureDir(join(root, KITTIFY_DIR)) ? 'created' : 'unchanged');
  const { identity, wrote } = await resolveIdentityAt(root, { logger: cliLogger(), nodeId: () => machineNodeId() });
  if (!identity.persisted) {
    throw new UserError(`the project identity could not be saved to ${join(root, KITTIFY_DIR, CONFIG_FILE)} (see the warning above); nothing was initialized.`);
  }
  report.project_uuid = identity.project_uuid;
  report.project_slug = identity.project_slug;
  note(`${KITTIFY_DIR}/${CONFIG_FILE}`, wrote ?? 'unchanged');
  note(`${SPECS_DIR}/`, ensureDir(join(root, SPECS_DIR)) ? 'created' : 'unchanged');
  try {
    note('.gitignore', await withKittifyLock(root, () => ensureGitignore(root)));
  } catch (err) {
    throw new UserError(`cannot update ${join(root, '.gitignore')}: ${messageOf(err)}`);
  }
  report.adopted_held_events = await adoptHeldEvents(root, identity);

  if (opts.json) {
    printJson(report);
    return;
  }
  const changed = report.created.length + report.updated.length > 0;
  print(changed
    ? `Initialized ${bold(identity.project_slug)} (${identity.project_uuid}) in ${root}`
    : `${bold(identity.project_slug)} (${identity.project_uuid}) is already initialized in ${root}; nothing changed.`);
  for (const what of ['created', 'updated', 'unchanged'] as const) {
    if (report[what].length > 0 && (changed || what !== 'unchanged')) print(dim(`  ${what.padEnd(9)} ${report[what].join(', ')}`));
  }
  if (changed) print(dim(`  commit ${KITTIFY_DIR}/${CONFIG_FILE}: its uuid identifies the project on your team's hub.`));
  if (report.adopted_held_events > 0) print(`${report.adopted_held_events} held event(s) from this folder now carry the project's identity and will be sent.`);
}

/** Events held in `root` (or below) before it had an identity now belong to it; a queue that cannot be read is said, not fatal. */
async function adoptHeldEvents(root: string, identity: { project_uuid: string; project_slug: string }): Promise<number> {
  try {
    return await (await cliServices()).get(TOKENS.PersistQueue).adoptHeld({ root }, identity, (origin) => findProjectRoot(origin) === root);
  } catch (err) {
    cliLogger().warn(`held events of this folder could not be adopted (${messageOf(err)}); they stay held: see \`spec-kitty sync held\``);
    return 0;
  }
}

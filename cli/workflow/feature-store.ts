import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../core/errors.js';
import { createFileExclusive, syncDir } from '../../lib/atomic-write.js';
import type { WorkflowProject } from './project.js';
import { formatFeatureNumber, nextNumber, slugify } from './slug.js';

/** meta.json of a feature; keys spec-kitty does not know are kept as they are. */
export interface FeatureMeta {
  feature_number?: string;
  slug?: string;
  friendly_name?: string;
  created_at?: string;
  /** Set when FeatureCompleted was emitted, so it is emitted once. */
  completed_at?: string;
  [key: string]: unknown;
}

export interface Feature {
  /** Folder name, e.g. `001-checkout`: the aggregate id of feature events. */
  slug: string;
  number: string;
  dir: string;
  tasksDir: string;
  metaPath: string;
}

const FEATURE_DIR = /^(\d{3})-([a-z0-9].*)$/;

export function listFeatures(project: WorkflowProject): Feature[] {
  if (!existsSync(project.specsDir)) return [];
  return readdirSync(project.specsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && FEATURE_DIR.test(e.name))
    .map((e) => featureAt(project, e.name))
    .sort((a, b) => a.slug.localeCompare(b.slug));
}

function featureAt(project: WorkflowProject, slug: string): Feature {
  const dir = join(project.specsDir, slug);
  return { slug, number: slug.slice(0, 3), dir, tasksDir: join(dir, 'tasks'), metaPath: join(dir, 'meta.json') };
}

/** meta.json, or {} when the feature has none (hand-made folders). */
export function readMeta(feature: Feature, project: WorkflowProject): FeatureMeta {
  if (!existsSync(feature.metaPath)) return {};
  const text = readFileSync(feature.metaPath, 'utf8');
  try {
    const meta = JSON.parse(text) as unknown;
    if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) throw new Error('expected a JSON object');
    return meta as FeatureMeta;
  } catch (err) {
    throw new UserError(`${project.display(feature.metaPath)}: invalid JSON: ${(err as Error).message}\n` +
      'Fix the file (or restore it from git) and run the command again.');
  }
}

export const metaText = (meta: FeatureMeta): string => JSON.stringify(meta, null, 2) + '\n';


/** The human name: meta.json's friendly_name, else the folder name without its number. */
export function featureName(feature: Feature, meta: FeatureMeta): string {
  return typeof meta.friendly_name === 'string' && meta.friendly_name ? meta.friendly_name : feature.slug.slice(4);
}

/**
 * The feature a user means: its folder name (`001-checkout`), number (`001`, `1`),
 * slug without number (`checkout`) or friendly name.
 */
export function matchFeature(project: WorkflowProject, features: Feature[], query: string): Feature {
  const q = query.trim().replace(/\/+$/, '').replace(/^.*\//, '');
  const byNumber = /^\d{1,3}$/.test(q) ? formatFeatureNumber(Number(q)) : null;
  const kebab = slugify(q, 200);
  const found = features.find((f) => f.slug === q)
    ?? features.find((f) => f.number === byNumber)
    ?? features.find((f) => f.slug.slice(4) === kebab)
    ?? features.find((f) => slugify(featureName(f, readMeta(f, project)), 200) === kebab);
  if (found) return found;
  const known = features.length ? `features here: ${features.map((f) => f.slug).join(', ')}` : 'there are no features yet; create one with: spec-kitty feature create "<name>"';
  throw new UserError(`no feature matches "${query}" (${known})`);
}

/** The lock all feature creations of a project take, so two never pick the same number. */
export const featureCreateLock = (project: WorkflowProject): string => join(project.specsDir, '.feature-create');

/**
 * The next feature for `name`: the next free number and its meta.json content. Makes nothing
 * but kitty-specs/; call it holding featureCreateLock, so the number stays free until created.
 */
export function planFeature(project: WorkflowProject, name: string, now: Date): { feature: Feature; meta: FeatureMeta } {
  const slugPart = slugify(name);
  if (!slugPart) throw new UserError(`the feature name "${name}" has no letters or digits to make a folder name from; pick another name`);
  const features = listFeatures(project);
  const clash = features.find((f) => f.slug.slice(4) === slugPart);
  if (clash) throw new UserError(`a feature named "${slugPart}" already exists (${project.display(clash.dir)}); pick another name`);
  const number = formatFeatureNumber(nextNumber(features.map((f) => Number(f.number))));
  if (number.length > 3) throw new UserError('feature numbers are three digits and 999 is taken; archive old features first');
  const feature = featureAt(project, `${number}-${slugPart}`);
  return { feature, meta: { feature_number: number, slug: feature.slug, friendly_name: name.trim(), created_at: now.toISOString() } };
}

const FOLDER_TEMP = /^\.\d{3}-.*\.tmp$/;

/**
 * Makes the feature folder (meta.json with `text`, and tasks/) in one rename: a crash leaves it
 * whole or absent, never a folder without its meta.json. Fails if the folder exists.
 */
export function createFeatureFolder(project: WorkflowProject, feature: Feature, text: string): void {
  const temp = join(project.specsDir, `.${feature.slug}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`);
  mkdirSync(join(temp, 'tasks'), { recursive: true });
  try {
    createFileExclusive(join(temp, 'meta.json'), text);
    if (existsSync(feature.dir)) throw Object.assign(new Error(`${feature.dir} exists`), { code: 'EEXIST' });
    renameSync(temp, feature.dir);
    // The folder's arrival is what its committed event stands for: make the rename itself durable.
    syncDir(project.specsDir);
  } catch (err) {
    rmSync(temp, { recursive: true, force: true });
    throw err;
  }
}

/** Folders a crashed createFeatureFolder left; call holding featureCreateLock. */
export function removeFeatureTemps(project: WorkflowProject): void {
  if (!existsSync(project.specsDir)) return;
  for (const name of readdirSync(project.specsDir)) {
    if (FOLDER_TEMP.test(name)) rmSync(join(project.specsDir, name), { recursive: true, force: true });
  }
}

/** Undoes createFeatureFolder, for when its event cannot be committed; removes only what it made. */
export function removeNewFeature(feature: Feature): void {
  try {
    rmdirSync(feature.tasksDir);
  } catch {
    return; // someone added a WP meanwhile: keep the feature as it is
  }
  rmSync(feature.metaPath, { force: true });
  try {
    rmdirSync(feature.dir);
  } catch { /* someone added a file meanwhile: keep it */ }
}

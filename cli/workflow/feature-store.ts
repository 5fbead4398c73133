import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../core/errors.js';
import { createFileExclusive, writeFileAtomic } from '../../lib/atomic-write.js';
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

export function writeMeta(feature: Feature, meta: FeatureMeta): void {
  writeFileAtomic(feature.metaPath, JSON.stringify(meta, null, 2) + '\n');
}

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

/**
 * Creates the next feature folder with its meta.json and tasks/. When another process takes
 * the same number first, the next number is tried: mkdir is the atomic claim.
 */
export function createFeature(project: WorkflowProject, name: string, now: Date): { feature: Feature; meta: FeatureMeta } {
  const slugPart = slugify(name);
  if (!slugPart) throw new UserError(`the feature name "${name}" has no letters or digits to make a folder name from; pick another name`);
  mkdirSync(project.specsDir, { recursive: true });
  for (let attempt = 0; attempt < 20; attempt++) {
    const features = listFeatures(project);
    const clash = features.find((f) => f.slug.slice(4) === slugPart);
    if (clash) {
      throw new UserError(`a feature named "${slugPart}" already exists (${project.display(clash.dir)}); pick another name`);
    }
    const number = formatFeatureNumber(nextNumber(features.map((f) => Number(f.number))));
    if (number.length > 3) throw new UserError('feature numbers are three digits and 999 is taken; archive old features first');
    const feature = featureAt(project, `${number}-${slugPart}`);
    try {
      mkdirSync(feature.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw err;
    }
    const meta: FeatureMeta = { feature_number: number, slug: feature.slug, friendly_name: name.trim(), created_at: now.toISOString() };
    mkdirSync(feature.tasksDir);
    createFileExclusive(feature.metaPath, JSON.stringify(meta, null, 2) + '\n');
    return { feature, meta };
  }
  throw new UserError('could not claim a feature number: other processes kept taking them; run the command again');
}

/** Undoes createFeature, for when its event cannot be queued; removes only what it made. */
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

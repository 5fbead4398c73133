import { relative, resolve, sep } from 'node:path';
import { UserError } from '../../core/errors.js';
import { listFeatures, matchFeature, type Feature } from './feature-store.js';
import { currentBranch } from './git-branch.js';
import type { WorkflowProject } from './project.js';
import { normalizeWpId } from './slug.js';
import { findWpRef, listWpRefs, type WpRef } from './wp-store.js';

export interface ResolveOptions {
  cwd: string;
  /** `--feature`, as the user typed it. */
  feature?: string;
  /** The checked-out branch; read from the repository when not given. */
  branch?: string | null;
  /** Shows how to re-run with `--feature` in an ambiguity message. */
  example?: (feature: string) => string;
}

/** The feature folder the user is standing in (`kitty-specs/<feature>/…`), if any. */
export function featureFromDir(project: WorkflowProject, features: Feature[], cwd: string): Feature | null {
  const rel = relative(project.specsDir, resolve(cwd));
  if (!rel || rel.startsWith('..')) return null;
  const first = rel.split(sep)[0];
  return features.find((f) => f.slug === first) ?? null;
}

/** The feature the branch is named after: `001-checkout`, `001-checkout-WP02`, `feature/001-checkout`. */
export function featureFromBranch(features: Feature[], branch: string | null | undefined): Feature | null {
  if (!branch) return null;
  const bySlug = features.filter((f) => branch === f.slug || branch.includes(f.slug));
  if (bySlug.length === 1) return bySlug[0];
  const m = /(?:^|\/)(\d{3})-/.exec(branch);
  return m ? features.find((f) => f.number === m[1]) ?? null : null;
}

const branchOf = (project: WorkflowProject, opts: ResolveOptions) =>
  opts.branch !== undefined ? opts.branch : currentBranch(project.root);

/**
 * The feature a feature-wide command (accept, status) works on: `--feature`, else the folder
 * the user is in, else the branch, else the only feature. Null when none of those decides.
 */
export function inferFeature(project: WorkflowProject, opts: ResolveOptions): Feature | null {
  const features = listFeatures(project);
  if (opts.feature !== undefined) return matchFeature(project, features, opts.feature);
  return featureFromDir(project, features, opts.cwd)
    ?? featureFromBranch(features, branchOf(project, opts))
    ?? (features.length === 1 ? features[0] : null);
}

/**
 * Finds a WP by id. With `--feature`, only there; otherwise in the feature of the current
 * folder, else the only feature holding that id, else the feature of the current branch.
 * Several candidates and nothing to decide: the user is asked for `--feature`.
 */
export function resolveWp(project: WorkflowProject, input: string, opts: ResolveOptions): { feature: Feature; ref: WpRef } {
  const id = normalizeWpId(input);
  if (!id) throw new UserError(`"${input}" is not a work package id; use the form WP01`, 2);
  const features = listFeatures(project);
  if (features.length === 0) {
    throw new UserError('there are no features yet; create one with: spec-kitty feature create "<name>"');
  }
  if (opts.feature !== undefined) {
    const feature = matchFeature(project, features, opts.feature);
    const ref = findWpRef(project, feature, id);
    if (!ref) throw new UserError(`${id} is not in ${feature.slug} (${known(feature)}); add it with: spec-kitty wp add ${feature.slug} "<title>"`);
    return { feature, ref };
  }
  const here = featureFromDir(project, features, opts.cwd);
  const hereRef = here && findWpRef(project, here, id);
  if (here && hereRef) return { feature: here, ref: hereRef };

  const candidates = features.flatMap((feature) => {
    const ref = findWpRef(project, feature, id);
    return ref ? [{ feature, ref }] : [];
  });
  if (candidates.length === 1) return candidates[0];
  if (candidates.length === 0) {
    throw new UserError(`${id} does not exist in any feature (${features.map((f) => f.slug).join(', ')}); ` +
      'check the id with `spec-kitty status`');
  }
  const fromBranch = featureFromBranch(candidates.map((c) => c.feature), branchOf(project, opts));
  const chosen = fromBranch && candidates.find((c) => c.feature === fromBranch);
  if (chosen) return chosen;
  const example = opts.example?.(candidates[0].feature.slug) ?? `--feature ${candidates[0].feature.slug}`;
  throw new UserError(`${id} exists in several features: ${candidates.map((c) => c.feature.slug).join(', ')}.\n` +
    `Say which with --feature, e.g.: ${example}`);
}

function known(feature: Feature): string {
  const ids = listWpRefs(feature).map((r) => r.id);
  return ids.length ? `it has ${ids.join(', ')}` : 'it has no work packages yet';
}

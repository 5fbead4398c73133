import test from 'ava';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { featureFromBranch, inferFeature, resolveWp } from '../../../cli/workflow/resolve-wp.js';
import { listFeatures } from '../../../cli/workflow/feature-store.js';
import { makeProject } from './fixtures.js';

test('a WP id found in one feature only resolves without --feature', (t) => {
  const p = makeProject({ '001-cart': { WP01: 'planned' }, '002-pay': { WP02: 'planned' } });
  const r = resolveWp(p, 'wp2', { cwd: p.root, branch: null });
  t.is(r.feature.slug, '002-pay');
  t.is(r.ref.id, 'WP02');
});

test('an id in several features asks for --feature, naming them and an example', (t) => {
  const p = makeProject({ '001-cart': { WP01: 'planned' }, '002-pay': { WP01: 'planned' } });
  const err = t.throws(() => resolveWp(p, 'WP01', { cwd: p.root, branch: 'main', example: (f) => `spec-kitty implement WP01 --feature ${f}` }));
  t.regex(err!.message, /WP01 exists in several features: 001-cart, 002-pay/);
  t.regex(err!.message, /--feature/);
  t.regex(err!.message, /spec-kitty implement WP01 --feature 001-cart/);
});

test('--feature accepts the folder name, the number or the bare slug', (t) => {
  const p = makeProject({ '001-cart': { WP01: 'planned' }, '002-pay': { WP01: 'planned' } });
  for (const feature of ['002-pay', '2', '002', 'pay', 'kitty-specs/002-pay/']) {
    t.is(resolveWp(p, 'WP01', { cwd: p.root, feature, branch: null }).feature.slug, '002-pay', feature);
  }
  t.regex(t.throws(() => resolveWp(p, 'WP01', { cwd: p.root, feature: 'nope', branch: null }))!.message, /no feature matches "nope".*001-cart, 002-pay/);
  t.regex(t.throws(() => resolveWp(p, 'WP05', { cwd: p.root, feature: '1', branch: null }))!.message, /WP05 is not in 001-cart \(it has WP01\)/);
});

test('the current folder inside kitty-specs/<feature>/ decides an ambiguous id', (t) => {
  const p = makeProject({ '001-cart': { WP01: 'planned' }, '002-pay': { WP01: 'planned' } });
  const cwd = join(p.specsDir, '002-pay', 'tasks');
  t.is(resolveWp(p, 'WP01', { cwd, branch: null }).feature.slug, '002-pay');
});

test('the current branch decides an ambiguous id: by slug or by number', (t) => {
  const p = makeProject({ '001-cart': { WP01: 'planned' }, '002-pay': { WP01: 'planned' } });
  t.is(resolveWp(p, 'WP01', { cwd: p.root, branch: '002-pay-WP01' }).feature.slug, '002-pay');
  t.is(resolveWp(p, 'WP01', { cwd: p.root, branch: 'feature/001-something-renamed' }).feature.slug, '001-cart');
  t.throws(() => resolveWp(p, 'WP01', { cwd: p.root, branch: 'release-2024' }), { message: /several features/ });
});

test('the branch is read from the repository when not given', (t) => {
  const p = makeProject({ '001-cart': { WP01: 'planned' }, '002-pay': { WP01: 'planned' } });
  mkdirSync(join(p.root, '.git'));
  writeFileSync(join(p.root, '.git', 'HEAD'), 'ref: refs/heads/002-pay\n');
  t.is(resolveWp(p, 'WP01', { cwd: p.root }).feature.slug, '002-pay');
});

test('unknown ids and bad input say what to do', (t) => {
  const p = makeProject({ '001-cart': { WP01: 'planned' } });
  t.regex(t.throws(() => resolveWp(p, 'WP07', { cwd: p.root, branch: null }))!.message, /WP07 does not exist in any feature \(001-cart\)/);
  t.regex(t.throws(() => resolveWp(p, 'T001', { cwd: p.root, branch: null }))!.message, /not a work package id/);
  const empty = makeProject({});
  t.regex(t.throws(() => resolveWp(empty, 'WP01', { cwd: empty.root, branch: null }))!.message, /feature create/);
});

test('feature inference for feature-wide commands: flag, folder, branch, only one', (t) => {
  const one = makeProject({ '001-cart': {} });
  t.is(inferFeature(one, { cwd: one.root, branch: null })?.slug, '001-cart');
  const two = makeProject({ '001-cart': {}, '002-pay': {} });
  t.is(inferFeature(two, { cwd: two.root, branch: null }), null);
  t.is(inferFeature(two, { cwd: join(two.specsDir, '001-cart'), branch: '002-pay' })?.slug, '001-cart');
  t.is(inferFeature(two, { cwd: two.root, branch: '002-pay' })?.slug, '002-pay');
  t.is(inferFeature(two, { cwd: two.root, branch: null, feature: '2' })?.slug, '002-pay');
});

test('branch matching ignores names that only look numeric', (t) => {
  const features = listFeatures(makeProject({ '001-cart': {}, '100-big': {} }));
  t.is(featureFromBranch(features, 'main'), null);
  t.is(featureFromBranch(features, 'v1000-fix'), null);
  t.is(featureFromBranch(features, '100-anything')?.slug, '100-big');
});

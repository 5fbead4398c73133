import test from 'ava';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  createFeatureFolder, listFeatures, metaText, planFeature, removeFeatureTemps, removeNewFeature,
} from '../../../cli/workflow/feature-store.js';
import type { WorkflowProject } from '../../../cli/workflow/project.js';
import { makeProject } from './fixtures.js';

const now = new Date('2025-03-01T12:00:00.000Z');

/** What `feature create` does on disk, without its event. */
function createFeature(p: WorkflowProject, name: string, at: Date) {
  const planned = planFeature(p, name, at);
  mkdirSync(p.specsDir, { recursive: true });
  createFeatureFolder(p, planned.feature, metaText(planned.meta));
  return planned;
}

test('features get the next free number and a kebab slug, with meta.json and tasks/', (t) => {
  const p = makeProject({ '001-cart': {}, '004-old': {} });
  const { feature, meta } = createFeature(p, 'Checkout Flow!', now);
  t.is(feature.slug, '005-checkout-flow');
  t.true(existsSync(feature.tasksDir));
  t.deepEqual(JSON.parse(readFileSync(feature.metaPath, 'utf8')), {
    feature_number: '005', slug: '005-checkout-flow', friendly_name: 'Checkout Flow!', created_at: '2025-03-01T12:00:00.000Z',
  });
  t.deepEqual(meta, JSON.parse(readFileSync(feature.metaPath, 'utf8')));
});

test('the first feature is 001, even without kitty-specs/ yet', (t) => {
  const p = makeProject({});
  t.is(createFeature(p, 'First', now).feature.slug, '001-first');
});

test('a name clash or an unusable name is refused with what to do', (t) => {
  const p = makeProject({ '001-cart': {} });
  t.regex(t.throws(() => createFeature(p, 'Cart', now))!.message, /already exists .*001-cart.*pick another name/);
  t.regex(t.throws(() => createFeature(p, '***', now))!.message, /no letters or digits/);
});

test('numbers continue after the highest numbered folder', (t) => {
  const p = makeProject({ '001-cart': {} });
  mkdirSync(join(p.specsDir, '002-x'));
  t.is(createFeature(p, 'Pay', now).feature.slug, '003-pay');
});

test('other folders in kitty-specs/ are not features', (t) => {
  const p = makeProject({ '001-cart': {} });
  mkdirSync(join(p.specsDir, 'notes'));
  mkdirSync(join(p.specsDir, '12-short'));
  t.deepEqual(listFeatures(p).map((f) => f.slug), ['001-cart']);
});

test('removing a new feature removes only what creating it made', (t) => {
  const p = makeProject({});
  const { feature } = createFeature(p, 'Gone', now);
  removeNewFeature(feature);
  t.false(existsSync(feature.dir));
});

test('planning a feature makes nothing; the folder appears whole, in one rename, and never over an existing one', (t) => {
  const p = makeProject({ '001-cart': {} });
  const { feature, meta } = planFeature(p, 'Pay', now);
  t.false(existsSync(feature.dir));
  mkdirSync(feature.dir);
  t.throws(() => createFeatureFolder(p, feature, metaText(meta)), { code: 'EEXIST' });
  t.deepEqual(readdirSync(p.specsDir).sort(), ['001-cart', '002-pay'], 'no temp folder is left behind');
});

test('temp folders a crashed creation left are removed; features are not', (t) => {
  const p = makeProject({ '001-cart': {} });
  mkdirSync(join(p.specsDir, '.002-pay.4242.abc123.tmp', 'tasks'), { recursive: true });
  removeFeatureTemps(p);
  t.deepEqual(readdirSync(p.specsDir), ['001-cart']);
});

import test from 'ava';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFeature, listFeatures, removeNewFeature } from '../../../cli/workflow/feature-store.js';
import { makeProject } from './fixtures.js';

const now = new Date('2025-03-01T12:00:00.000Z');

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

import test from 'ava';
import { formatFeatureNumber, formatWpId, nextNumber, normalizeWpId, slugify } from '../../../cli/workflow/slug.js';

test('slugs are kebab-case ASCII', (t) => {
  t.is(slugify('Checkout Flow'), 'checkout-flow');
  t.is(slugify('  Café: résumé & naïve!! '), 'cafe-resume-naive');
  t.is(slugify('API v2 -- OAuth_2'), 'api-v2-oauth-2');
  t.is(slugify('!!!'), '');
});

test('long slugs are cut at a word boundary', (t) => {
  const s = slugify('a very long feature name that goes on and on beyond any reasonable length');
  t.true(s.length <= 48);
  t.false(s.endsWith('-'));
  t.true('a-very-long-feature-name-that-goes-on-and-on-beyond'.startsWith(s));
});

test('numbers: three-digit features, two-digit WPs, next after the highest', (t) => {
  t.is(formatFeatureNumber(7), '007');
  t.is(formatWpId(3), 'WP03');
  t.is(nextNumber([]), 1);
  t.is(nextNumber([1, 2, 5]), 6);
});

test('WP ids are normalized from what users type', (t) => {
  t.is(normalizeWpId('wp1'), 'WP01');
  t.is(normalizeWpId('WP01'), 'WP01');
  t.is(normalizeWpId('7'), 'WP07');
  t.is(normalizeWpId('WP100'), null);
  t.is(normalizeWpId('WP00'), null);
  t.is(normalizeWpId('T001'), null);
});

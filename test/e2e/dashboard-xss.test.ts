import type { ExecutionContext } from 'ava';
import type { Browser, Page } from 'playwright-core';
import { newUlid } from '../../lib/ulid.js';
import { startHub, type TestHub } from '../hub/hub-fixture.js';
import { browserTest } from './browser-test.js';
import { launchBrowser, signIn } from './dashboard-helpers.js';

// Event text is data, never markup: a WP title, feature name, feature slug, project slug or
// changed_by holding HTML shows as that text, in the snapshot's views and in pushed updates, and
// nothing of it runs or becomes an element (the page builds its DOM without parsing HTML, and its
// CSP allows no inline script: either alone would stop it; this checks what the user sees).

const test = browserTest();

const IMG = '<img src=x onerror="window.__xss=(window.__xss||0)+1">';
const SCRIPT = '"><script>window.__xss=(window.__xss||0)+1</script>';
const SVG = "'><svg onload=window.__xss=1>";
const PROJECT = '7a1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';

let clock = 0;
function event(event_type: string, aggregate_type: string, aggregate_id: string, payload: Record<string, unknown>, project_slug: string) {
  return {
    event_id: newUlid(), event_type, aggregate_type, aggregate_id, payload, timestamp: new Date().toISOString(),
    node_id: '0123456789ab', lamport_clock: ++clock, causation_id: null, correlation_id: newUlid(),
    team_slug: 'acme', project_uuid: PROJECT, project_slug,
  };
}

/** Posts events as a CLI would; each must be stored (or the test would check nothing). */
async function post(t: ExecutionContext, hub: TestHub, events: unknown[]): Promise<void> {
  const { access } = await hub.login('ada');
  const r = await hub.call('/api/v1/events/batch/', { token: access, body: { events } });
  t.is(r.status, 200);
  t.deepEqual(r.body.results.map((x: { status: string; error_message?: string }) => x.error_message ?? x.status), events.map(() => 'success'));
}

async function xssState(page: Page) {
  return page.evaluate(`({
    ran: window.__xss ?? null,
    imgs: document.querySelectorAll('img[src="x"], #view img, #view script, #view svg[onload], [onerror], [onload]').length,
    scripts: [...document.scripts].filter((s) => !s.src).length,
  })`) as Promise<{ ran: unknown; imgs: number; scripts: number }>;
}

test('hostile event text (title, feature name and slug, project slug, changed_by) shows as text; nothing runs or becomes an element', async (t) => {
  t.timeout(120_000, 'a browser');
  const hub = await startHub();
  t.teardown(() => hub.hub.close());
  const slug = `shop${IMG}`;
  const feature = '001-cart';
  await post(t, hub, [
    event('FeatureCreated', 'Feature', feature, { feature_slug: feature, feature_number: '001', name: `Checkout ${SCRIPT}` }, slug),
    event('WPCreated', 'WorkPackage', 'WP01', { wp_id: 'WP01', title: `Cart ${IMG}`, feature_slug: feature, lane: 'planned', dependencies: [] }, slug),
    event('WPCreated', 'WorkPackage', 'WP02', { wp_id: 'WP02', title: `Pay ${SVG}`, feature_slug: feature, lane: 'planned', dependencies: [] }, slug),
  ]);

  const browser: Browser = await launchBrowser();
  t.teardown(() => browser.close());
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => { if (message.type() === 'error') problems.push(`console: ${message.text()}`); });
  page.on('dialog', (dialog) => { problems.push(`dialog: ${dialog.message()}`); void dialog.dismiss(); });

  await signIn(page, hub.url, 'ada');
  // The projects view (from the snapshot): the slug and feature name as text.
  const card = page.locator(`li.project[data-uuid="${PROJECT}"]`);
  await card.waitFor();
  t.true((await card.textContent())!.includes(slug), await card.textContent() ?? '');
  t.true((await card.textContent())!.includes(SCRIPT));
  t.deepEqual(await xssState(page), { ran: null, imgs: 0, scripts: 0 });

  // The project view: titles and the feed, from the snapshot and the read API.
  await card.locator('h2 a').click();
  await page.locator('#feed').waitFor();
  t.is(await page.locator('h1#view-title').textContent(), slug);
  t.is(await page.locator('li.wp[data-wp="WP01"] .wp-title').textContent(), `Cart ${IMG}`);
  t.is(await page.locator('li.wp[data-wp="WP02"] .wp-title').textContent(), `Pay ${SVG}`);
  t.true((await page.locator('#view').textContent())!.includes(`Checkout ${SCRIPT}`));

  // Pushed live: a move by a hostile changed_by, and a new WP with a hostile title.
  const mover = `Mallory ${IMG}${SCRIPT}`;
  await post(t, hub, [
    event('WPStatusChanged', 'WorkPackage', 'WP01', { wp_id: 'WP01', previous_status: 'planned', new_status: 'doing', changed_by: mover, feature_slug: feature }, slug),
    event('WPCreated', 'WorkPackage', 'WP03', { wp_id: 'WP03', title: SCRIPT, feature_slug: feature, lane: 'planned', dependencies: [] }, slug),
  ]);
  await page.waitForFunction('document.querySelector(\'section.lane[data-lane="doing"] li.wp[data-wp="WP01"]\') !== null', null, { timeout: 10_000 });
  await page.locator('li.wp[data-wp="WP03"]').waitFor();
  t.is(await page.locator('li.wp[data-wp="WP03"] .wp-title').textContent(), SCRIPT);
  const feed = await page.locator('#feed li').allTextContents();
  t.true(feed.some((line) => line.includes(`${mover} moved WP01`)), feed.join('\n'));

  // Back to the projects view (rebuilt from the model the pushes changed).
  await page.goBack();
  await card.waitFor();
  t.true((await card.textContent())!.includes(slug));

  t.deepEqual(await xssState(page), { ran: null, imgs: 0, scripts: 0 });
  t.deepEqual(problems, [], 'no script error, no CSP violation (an inline handler would be one), no dialog');
});

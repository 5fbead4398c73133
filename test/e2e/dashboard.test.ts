import type { ExecutionContext } from 'ava';
import { createSqliteStorage } from '../../hub/storage/sqlite/index.js';
import { serveHub } from '../../hub/index.js';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { envelope } from '../helpers/envelope.js';
import { PASSWORD, startHub, type TestHub } from '../hub/hub-fixture.js';
import { browserTest } from './browser-test.js';
import { featureWithWps, laneOf, launchBrowser, loggedInRepo, signIn, type Repo } from './dashboard-helpers.js';

// The dashboard in real Chromium (issue 15): the built CLI in repositories synced to a real hub
// (`sync now`, so each step is deterministic), the page signed in through its form, and every
// change seen in place: no reload, the same document throughout.

const test = browserTest();

/** A page, and the script errors and CSP violations it logs (each test expects none). */
async function newPage(t: ExecutionContext, browser: Browser, options: Parameters<Browser['newContext']>[0] = {}): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext(options);
  t.teardown(() => context.close());
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource: the server responded with a status of (401|429)/.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  return { context, page, problems };
}

/** The document's identity: a reload or a navigation would give a new time origin and lose the marker. */
const documentId = (page: Page) => page.evaluate('(window.__skMarker ??= Math.random()) + ":" + performance.timeOrigin') as Promise<string>;

async function browser(t: ExecutionContext): Promise<Browser> {
  const b = await launchBrowser();
  t.teardown(() => b.close());
  return b;
}

/** ada's two projects (shop, api: two machines), a third with shop's slug from another remote, and eve's project in team evil. */
async function team(hub: TestHub) {
  const [shop, api, otherShop, eves] = await Promise.all([
    loggedInRepo(hub.url, 'git@example.com:acme/shop.git', { liveSync: false, name: 'shop' }),
    loggedInRepo(hub.url, 'git@example.com:acme/api.git', { liveSync: false, name: 'api' }),
    loggedInRepo(hub.url, 'git@example.com:forks/shop.git', { liveSync: false, name: 'shop' }),
    loggedInRepo(hub.url, 'git@example.com:evil/secret-plans.git', { liveSync: false, name: 'secret-plans', username: 'eve' }),
  ]);
  await Promise.all([
    featureWithWps(shop, 'Checkout flow', ['Cart model', 'Payment form']),
    featureWithWps(api, 'Rate limits', ['Token bucket']),
    featureWithWps(otherShop, 'Fork tweaks', ['Rebrand']),
    featureWithWps(eves, 'World domination', ['Step one']),
  ]);
  await Promise.all([shop, api, otherShop, eves].map((r) => r.sync()));
  return { shop, api, otherShop, eves };
}

const cardUuids = (page: Page) => page.locator('li.project').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-uuid'))) as Promise<string[]>;

test('two repositories synced to a hub: sign in, see both projects, watch implement move a WP without a reload, sign out', async (t) => {
  t.timeout(180_000, 'a browser and many CLI runs; slow when the whole suite runs at once');
  const hub = await startHub();
  t.teardown(() => hub.hub.close());
  const { shop, api, otherShop, eves } = await team(hub);
  const { context, page, problems } = await newPage(t, await browser(t));

  await signIn(page, hub.url, 'ada');
  t.is(await page.locator('#who-name').textContent(), 'ada · acme');
  // Every project of the team, and the two with the slug "shop" apart; nothing of team evil.
  const uuids = await cardUuids(page);
  t.deepEqual([...uuids].sort(), [shop.uuid, api.uuid, otherShop.uuid].sort());
  t.false(uuids.includes(eves.uuid));
  t.is(await page.locator('li.project h2 a', { hasText: /^shop$/ }).count(), 2);
  t.false((await page.locator('#view').textContent())!.includes('secret-plans'));
  const shopCard = page.locator(`li.project[data-uuid="${shop.uuid}"]`);
  t.deepEqual(await shopCard.locator('.lanes-count dd').allTextContents(), ['2', '0', '0', '0']);
  t.regex((await shopCard.textContent())!, /Checkout flow/);
  t.is(await shopCard.locator('.uuid-value').textContent(), shop.uuid);
  t.is(await shopCard.locator('.uuid-value').getAttribute('title'), shop.uuid);
  t.is(await shopCard.locator('.nodes code').count(), 1);
  t.regex((await shopCard.locator('time').textContent())!, /ago|now/);

  // The copy button puts the uuid on the clipboard.
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: hub.url });
  await shopCard.getByRole('button', { name: 'Copy the uuid of shop' }).click();
  t.is(await page.evaluate('navigator.clipboard.readText()'), shop.uuid);

  const before = await documentId(page);
  // The projects view changes in place too.
  await shop.ok('implement', 'WP01');
  await shop.sync();
  await shopCard.locator('.lanes-count dd').first().filter({ hasText: '1' }).waitFor();
  t.deepEqual(await page.locator(`li.project[data-uuid="${shop.uuid}"] .lanes-count dd`).allTextContents(), ['1', '1', '0', '0']);

  await page.locator(`li.project[data-uuid="${shop.uuid}"] h2 a`).click();
  await page.locator('#feed').waitFor();
  t.is(await page.locator('h1#view-title').textContent(), 'shop');
  t.is(await laneOf(page, 'WP01'), 'doing');
  t.is(await laneOf(page, 'WP02'), 'planned');
  t.is(await page.locator('li.wp[data-wp="WP02"] .wp-title').textContent(), 'Payment form');
  const feed = await page.locator('#feed li').allTextContents();
  t.regex(feed[0], /Test User moved WP01 from Planned to Doing/);
  t.true(feed.some((line) => /added WP02 “Payment form”/.test(line)));
  t.true(feed.some((line) => /created feature Checkout flow/.test(line)));

  await shop.ok('implement', 'WP02', '--force');
  await shop.sync();
  await page.waitForFunction('document.querySelector(\'section.lane[data-lane="doing"] li.wp[data-wp="WP02"]\') !== null', null, { timeout: 10_000 });
  t.is(await laneOf(page, 'WP02'), 'doing');
  await shop.ok('review', 'WP01');
  await shop.sync();
  await page.waitForFunction('document.querySelector(\'section.lane[data-lane="for_review"] li.wp[data-wp="WP01"]\') !== null', null, { timeout: 10_000 });
  t.regex((await page.locator('#feed li').first().textContent())!, /moved WP01 from Doing to For review/);
  t.is(await documentId(page), before, 'the same document all along: no reload, no navigation');

  // Sign out: the cookie is gone, and the session it held is refused by the API.
  const session = (await context.cookies()).find((c) => c.name === 'sk_session');
  t.truthy(session);
  t.true(session!.httpOnly);
  t.is(session!.sameSite, 'Strict');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.locator('#sign-in-form').waitFor();
  t.is((await context.cookies()).find((c) => c.name === 'sk_session'), undefined);
  const refused = await fetch(`${hub.url}/api/v1/projects/`, { headers: { cookie: `sk_session=${session!.value}` } });
  t.is(refused.status, 401);
  t.is(await page.locator('#view').textContent(), '');
  t.is(await page.locator('#connection').isVisible(), false);
  t.deepEqual(problems, [], 'no script error and no Content-Security-Policy violation');
});

test('a user of another team sees none of it', async (t) => {
  t.timeout(180_000, 'a browser and many CLI runs; slow when the whole suite runs at once');
  const hub = await startHub();
  t.teardown(() => hub.hub.close());
  const { shop, api, eves } = await team(hub);
  const { page, problems } = await newPage(t, await browser(t));
  await signIn(page, hub.url, 'eve');
  t.deepEqual(await cardUuids(page), [eves.uuid]);
  const text = (await page.locator('body').textContent())!;
  t.false(text.includes('shop'));
  t.false(text.includes('Checkout flow'));
  // Not by its address either, and no push of acme's reaches the page.
  await page.goto(`${hub.url}/#/p/${shop.uuid}`);
  await page.locator('h1#view-title', { hasText: 'No such project' }).waitFor();
  const events = await page.evaluate(`fetch('/api/v1/projects/${api.uuid}/events/').then((r) => r.json())`) as { events: unknown[] };
  t.deepEqual(events.events, []);
  await page.goto(`${hub.url}/#/`);
  await page.locator('li.project').first().waitFor();
  const seen = await page.evaluate('window.__skDashboard.events') as number;
  await shop.ok('implement', 'WP01');
  await shop.sync();
  await eves.ok('implement', 'WP01');
  await eves.sync();
  await page.locator(`li.project[data-uuid="${eves.uuid}"] .lane-doing dd`, { hasText: '1' }).waitFor();
  t.is(await page.evaluate('window.__skDashboard.events') as number, seen + 1, 'only its own team\'s event was pushed');
  t.deepEqual(await cardUuids(page), [eves.uuid]);
  t.deepEqual(problems, [], 'no script error and no Content-Security-Policy violation');
});

test('a lost connection shows "reconnecting", then the page resyncs from the snapshot, in place', async (t) => {
  t.timeout(180_000, 'a browser and many CLI runs; slow when the whole suite runs at once');
  const first = await startHub();
  let current = first.hub;
  t.teardown(() => current.close());
  const shop = await loggedInRepo(first.url, 'git@example.com:acme/shop.git', { liveSync: false, name: 'shop' });
  await featureWithWps(shop, 'Checkout flow', ['Cart model', 'Payment form']);
  await shop.sync();
  const { page, problems } = await newPage(t, await browser(t));
  await signIn(page, first.url, 'ada');
  await page.locator(`li.project[data-uuid="${shop.uuid}"] h2 a`).click();
  await page.locator('#feed').waitFor();
  const before = await documentId(page);

  await first.hub.close();
  const connection = page.locator('#connection');
  await page.locator('#connection[data-state="reconnecting"]').waitFor();
  t.true(await connection.isVisible());
  t.regex((await connection.textContent())!, /reconnecting/i);
  t.is(await connection.getAttribute('role'), 'status');

  // While the hub is down, an event lands in its database (another hub process, say).
  const storage = createSqliteStorage({ file: first.db });
  const [{ id: teamId }] = (await storage.listTeams()).filter((team) => team.slug === 'acme');
  const moved = envelope({
    project_uuid: shop.uuid, project_slug: 'shop', team_slug: 'acme', lamport_clock: 1_000_000, aggregate_id: 'WP02',
    payload: { wp_id: 'WP02', previous_status: 'planned', new_status: 'for_review', changed_by: 'Grace', feature_slug: '001-checkout-flow' },
  });
  t.is((await storage.ingest(teamId, [moved], Date.now()))[0].status, 'success');
  const port = Number(new URL(first.url).port);
  current = (await serveHub({ storage, host: '127.0.0.1', port, log: () => {} }));

  await page.locator('#connection[data-state="live"]').waitFor({ timeout: 15_000 });
  await page.waitForFunction('document.querySelector(\'section.lane[data-lane="for_review"] li.wp[data-wp="WP02"]\') !== null', null, { timeout: 10_000 });
  await page.locator('#feed li', { hasText: 'Grace moved WP02' }).waitFor();
  t.is(await documentId(page), before);
  t.true(await page.evaluate('window.__skDashboard.snapshots') as number >= 2);
  // The browser says so when a reconnect finds the hub down; nothing else may be logged.
  t.deepEqual(problems.filter((p) => !/net::ERR_CONNECTION_REFUSED|WebSocket connection to .* failed/.test(p)), [], 'no script error and no Content-Security-Policy violation');
});

test('keyboard alone: sign in, open a project, reach the copy button; labelled controls; phone-sized and dark', async (t) => {
  t.timeout(180_000, 'a browser and many CLI runs; slow when the whole suite runs at once');
  const hub = await startHub();
  t.teardown(() => hub.hub.close());
  const shop = await loggedInRepo(hub.url, 'git@example.com:acme/shop.git', { liveSync: false, name: 'shop' });
  await featureWithWps(shop, 'Checkout flow', ['Cart model']);
  await shop.sync();
  const { page, problems } = await newPage(t, await browser(t), { viewport: { width: 390, height: 844 }, colorScheme: 'dark', hasTouch: true });
  await page.goto(`${hub.url}/`);
  await page.locator('#username:focus').waitFor();
  await page.keyboard.type('ada');
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');
  await page.locator('#connection[data-state="live"]').waitFor();
  await page.locator('li.project').first().waitFor();

  // Tab until the project's link has focus, then open it with Enter.
  let focused = '';
  for (let i = 0; i < 20 && !focused.startsWith('#/p/'); i++) {
    await page.keyboard.press('Tab');
    focused = await page.evaluate('document.activeElement?.getAttribute("href") ?? ""') as string;
  }
  t.is(focused, `#/p/${shop.uuid}`);
  await page.keyboard.press('Enter');
  await page.locator('#feed').waitFor();
  t.is(await page.evaluate('document.activeElement?.id'), 'view-title', 'the new view\'s heading takes focus');
  let label = '';
  for (let i = 0; i < 10 && label !== 'Copy the uuid of shop'; i++) {
    await page.keyboard.press('Tab');
    label = await page.evaluate('document.activeElement?.getAttribute("aria-label") ?? ""') as string;
  }
  t.is(label, 'Copy the uuid of shop');
  t.true(await page.locator('.view > .uuid .uuid-value').isVisible());

  // Screen readers: named regions and lanes, a live status.
  t.is(await page.getByRole('region', { name: 'Doing' }).count(), 1);
  t.is(await page.getByRole('status').textContent(), 'Live');
  t.is(await page.getByRole('heading', { name: 'Recent events' }).count(), 1);

  // Phone-sized: nothing wider than the screen; lanes stacked. Dark: a dark background.
  t.true(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth') as boolean);
  const lanes = await page.locator('section.lane').evaluateAll((els) => els.map((el) => Math.round(el.getBoundingClientRect().left)));
  t.is(new Set(lanes).size, 1, 'one column of lanes');
  const background = await page.evaluate('getComputedStyle(document.body).backgroundColor') as string;
  const [r, g, b] = background.match(/\d+/g)!.map(Number);
  t.true(r + g + b < 150, background);
  t.deepEqual(problems, [], 'no script error and no Content-Security-Policy violation');
});

// npm run screenshot: the README's pictures of the dashboard, taken with its browser test's setup
// (a real hub, the built CLI in repositories synced to it, Debian's chromium): docs/dashboard.png
// (the team's projects) and docs/dashboard-project.png (one project's board and feed).
import { mkdirSync } from 'node:fs';
import { featureWithWps, hasChromium, CHROMIUM, launchBrowser, loggedInRepo, signIn } from '../test/e2e/dashboard-helpers.js';
import { startHub } from '../test/hub/hub-fixture.js';

if (!hasChromium) {
  console.error(`no chromium at ${CHROMIUM}: apt-get install chromium (or set SPEC_KITTY_CHROMIUM)`);
  process.exit(1);
}

const hub = await startHub();
try {
  const [shop, api, fork] = await Promise.all([
    loggedInRepo(hub.url, 'git@example.com:acme/shop.git', { liveSync: false, name: 'shop' }),
    loggedInRepo(hub.url, 'git@example.com:acme/api.git', { liveSync: false, name: 'api' }),
    loggedInRepo(hub.url, 'git@example.com:forks/shop.git', { liveSync: false, name: 'shop' }),
  ]);
  await featureWithWps(shop, 'Checkout flow', ['Cart model', 'Payment form', 'Receipt email', 'Discount codes']);
  await featureWithWps(shop, 'Search', ['Index products', 'Typeahead']);
  await shop.ok('implement', 'WP01', '--feature', '001-checkout-flow');
  await shop.ok('review', 'WP01', '--feature', '001-checkout-flow');
  await shop.ok('accept', '--feature', '001-checkout-flow');
  await shop.ok('implement', 'WP02', '--feature', '001-checkout-flow', '--force');
  await shop.ok('review', 'WP02', '--feature', '001-checkout-flow');
  await shop.ok('implement', 'WP03', '--feature', '001-checkout-flow');
  await shop.ok('implement', 'WP01', '--feature', '002-search');
  await featureWithWps(api, 'Rate limits', ['Token bucket', '429 responses', 'Per-team quotas']);
  await api.ok('implement', 'WP01');
  await featureWithWps(fork, 'Rebrand', ['New logo']);
  await Promise.all([shop, api, fork].map((r) => r.sync()));

  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 }, colorScheme: 'light' });
    await signIn(page, hub.url, 'ada');
    mkdirSync('docs', { recursive: true });
    await page.screenshot({ path: 'docs/dashboard.png' });
    await page.locator(`li.project[data-uuid="${shop.uuid}"] h2 a`).click();
    await page.locator('#feed').waitFor();
    await page.screenshot({ path: 'docs/dashboard-project.png', fullPage: true });
    console.log('wrote docs/dashboard.png and docs/dashboard-project.png');
  } finally {
    await browser.close();
  }
} finally {
  await hub.hub.close();
}

/**
 * The dashboard's browser setup (issue 15), shared by its tests, `npm run screenshot` and the
 * bench: Debian's chromium driven by playwright-core, a real hub, and the built CLI in
 * repositories logged in to it.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { runCli, tempDir, type RunResult } from '../helpers/cli.js';
import { makeGitRepo } from '../helpers/git.js';
import { PASSWORD } from '../hub/hub-fixture.js';

export const CHROMIUM = process.env.SPEC_KITTY_CHROMIUM ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

/** Headless chromium: we run as root, so without its sandbox. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

/** Opens the dashboard and signs in through its form; resolves once the projects view shows. */
export async function signIn(page: Page, url: string, username: string, password = PASSWORD): Promise<void> {
  await page.goto(`${url}/`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#connection[data-state="live"]').waitFor();
  await page.locator('#view-title').waitFor();
}

export interface Repo {
  repo: string;
  home: string;
  /** Runs the CLI; fails with its output unless it exits 0. */
  ok(...args: string[]): Promise<RunResult>;
  /** Sends what is queued (`sync now`): the deterministic way for a test to have it on the hub. */
  sync(): Promise<void>;
  /** The project's uuid, as `init` gave it. */
  uuid: string;
}

/**
 * A git repository (origin `origin`) with its own SPEC_KITTY_HOME (its own machine), logged in to
 * `hubUrl` as `username`, then `init`. `liveSync: false` turns the commands' own sync off
 * (SPEC_KITTY_SYNC=off: no detached drainer), so events reach the hub only by `sync()`.
 */
export async function loggedInRepo(hubUrl: string, origin: string, options: { username?: string; liveSync?: boolean; name?: string } = {}): Promise<Repo> {
  const repo = makeGitRepo({ origin, name: options.name });
  const home = tempDir('sk-dash-home-');
  const env: Record<string, string> = options.liveSync === false ? { SPEC_KITTY_SYNC: 'off' } : {};
  const ok = async (...args: string[]) => {
    const r = await runCli(args, { cwd: repo, home, env });
    if (r.code !== 0) throw new Error(`spec-kitty ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    return r;
  };
  const login = await runCli(['auth', 'login', '--server', hubUrl, '--username', options.username ?? 'ada', '--password-stdin'], { cwd: repo, home, input: `${PASSWORD}\n` });
  if (login.code !== 0) throw new Error(`auth login: ${login.stderr}`);
  const init = JSON.parse((await ok('init', '--json')).stdout) as { project_uuid: string };
  return {
    uuid: init.project_uuid,
    repo, home, ok,
    async sync() {
      const r = await runCli(['sync', 'now', '--json'], { cwd: repo, home });
      if (r.code !== 0) throw new Error(`sync now exited ${r.code}: ${r.stdout} ${r.stderr}`);
    },
  };
}

/** A feature with `titles.length` WPs (WP01…), all in planned. */
export async function featureWithWps(repo: Repo, name: string, titles: string[]): Promise<string> {
  const created = await repo.ok('feature', 'create', name, '--json');
  const feature = (JSON.parse(created.stdout) as { feature_slug?: string }).feature_slug;
  if (!feature) throw new Error(`feature create --json gave no slug: ${created.stdout}`);
  for (const title of titles) await repo.ok('wp', 'add', feature, title);
  return feature;
}

/** The lane the page shows a WP in (the board of the project view), or null. */
export function laneOf(page: Page, wpId: string): Promise<string | null> {
  return page.locator(`section.lane:has(li.wp[data-wp="${wpId}"])`).first().getAttribute('data-lane', { timeout: 1000 }).catch(() => null);
}

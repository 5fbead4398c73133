// npm run demo: the whole loop on embedded defaults, no server of your own. A hub on SQLite in a
// throwaway folder, a demo user, two throwaway projects taken through their lanes while logged
// in (their events reach the hub through the CLI's own sync), then the dashboard's address and
// sign-in. It keeps serving until Ctrl-C; SPEC_KITTY_DEMO_EXIT=1 (or --exit) stops at once, for CI.
//
//   SPEC_KITTY_DEMO_PORT   the hub's port (default 8787; taken → any free port)
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../dist/spec-kitty.cjs', import.meta.url));
const USER = 'demo';
const PASSWORD = 'kitty-demo-1';
const exitAtOnce = process.argv.includes('--exit') || ['1', 'true', 'yes'].includes(process.env.SPEC_KITTY_DEMO_EXIT ?? '');
const work = mkdtempSync(join(tmpdir(), 'spec-kitty-demo-'));
const hubHome = join(work, 'hub');
const env = (home) => ({ ...process.env, SPEC_KITTY_HOME: home, NO_COLOR: '1' });

let hub = null;
let stopping = null;
/** Every SPEC_KITTY_HOME the demo made: each may have a detached drainer running in it. */
const homes = new Set();

/**
 * Stops the detached sync drainer of a demo home, if one runs (its pid is in
 * <home>/drainer.lock/owner.json), before its folder is removed from under it: SIGTERM, which it
 * handles by releasing what it claimed, then SIGKILL if it is still there after 5 s.
 */
async function stopDrainer(home) {
  let owner;
  try {
    owner = JSON.parse(readFileSync(join(home, 'drainer.lock', 'owner.json'), 'utf8'));
  } catch {
    return; // none runs, or it left no record
  }
  const pid = owner?.pid;
  if (!Number.isInteger(pid) || pid <= 0 || owner.hostname !== hostname() || !sameProcess(pid, owner.start)) return;
  const alive = () => { try { process.kill(pid, 0); return true; } catch { return false; } };
  try { process.kill(pid, 'SIGTERM'); } catch { return; }
  for (let waited = 0; alive() && waited < 5_000; waited += 50) await sleep(50);
  if (alive()) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
}

/** The pid is still the process that took the lock (Linux: its start time), not a reused pid. */
function sameProcess(pid, start) {
  if (typeof start !== 'string' || process.platform !== 'linux') return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] === start;
  } catch {
    return false;
  }
}

async function stop(code) {
  stopping ??= (async () => {
    if (hub && hub.exitCode === null && hub.signalCode === null) {
      const exited = new Promise((resolve) => hub.once('exit', resolve));
      hub.kill('SIGTERM');
      await exited;
    }
    // Drainers first: the throwaway folder holds their queues and locks.
    await Promise.all([...homes].map(stopDrainer));
    rmSync(work, { recursive: true, force: true });
    process.exit(code);
  })();
  return stopping;
}
process.once('SIGINT', () => { console.log('\nStopping the hub.'); void stop(0); });
process.once('SIGTERM', () => void stop(0));

/** A step of the demo failed: nothing after it runs. */
class StepFailed extends Error {}

/** Runs the CLI as a user would, showing the command and its output; a failure stops the demo (StepFailed). */
function sk(home, cwd, args, input) {
  homes.add(home);
  const shown = args.map((a) => (a.includes(' ') ? JSON.stringify(a) : a)).join(' ');
  console.log(`$ spec-kitty ${shown}`);
  try {
    const out = execFileSync(process.execPath, [CLI, ...args], { cwd, env: env(home), input: input ?? '', encoding: 'utf8', stdio: ['pipe', 'pipe', 'inherit'] });
    if (out.trim() !== '') console.log(out.trimEnd());
    console.log();
    return out;
  } catch (error) {
    throw new StepFailed(`spec-kitty ${shown} failed (exit ${error.status ?? error.code})`);
  }
}

// What a child printed to stderr is kept for its error message: the last this many characters.
const KEEP_ERR = 16 * 1024;

/** `spec-kitty hub serve`; resolves with its URL, or null if the port was taken. */
function serve(port) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'hub', 'serve', '--port', String(port)], { cwd: work, env: env(hubHome), stdio: ['ignore', 'pipe', 'pipe'] });
    // Only the line not yet complete is kept; each complete line is looked at once. Once the
    // hub said where it listens, its output (a line per request) is read and dropped.
    let partial = '';
    let inUse = false;
    let err = '';
    const onData = (chunk) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      if (partial.length > KEEP_ERR) partial = partial.slice(-KEEP_ERR);
      for (const text of lines) {
        if (/EADDRINUSE|address already in use/i.test(text)) inUse = true;
        const m = /listening on (http:\/\/\S+)/.exec(text);
        if (m && hub !== child) {
          hub = child;
          child.stdout.off('data', onData);
          child.stdout.resume();
          resolve(m[1]);
          return;
        }
      }
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', onData);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => { err = (err + chunk).slice(-KEEP_ERR); });
    child.once('exit', (code) => {
      if (hub === child) {
        if (!stopping) { console.error(`the hub stopped (exit ${code})`); void stop(1); }
        return;
      }
      if (inUse || /EADDRINUSE|address already in use/i.test(err + partial)) resolve(null);
      else reject(new Error(`the hub exited ${code}: ${err.trim()}`));
    });
  });
}

/** A throwaway git repository with an origin remote, logged in to the hub, with its identity. */
function project(name, home, url) {
  const repo = join(work, name);
  mkdirSync(repo, { recursive: true });
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: repo });
  execFileSync('git', ['remote', 'add', 'origin', `git@git.example.com:demo/${name}.git`], { cwd: repo });
  execFileSync('git', ['config', 'user.name', name === 'shop' ? 'Ada Lovelace' : 'Grace Hopper'], { cwd: repo });
  execFileSync('git', ['config', 'user.email', 'demo@example.com'], { cwd: repo });
  console.log(`# ${name}: a throwaway repository (${repo})`);
  sk(home, repo, ['auth', 'login', '--server', url, '--username', USER, '--password-stdin'], `${PASSWORD}\n`);
  sk(home, repo, ['init']);
  return repo;
}

async function main() {
  console.log(`# A team hub on SQLite in ${hubHome}, with a demo user\n`);
  sk(hubHome, work, ['hub', 'user', 'add', USER, '--team', 'demo-team', '--password-stdin'], PASSWORD);
  const wanted = Number(process.env.SPEC_KITTY_DEMO_PORT ?? 8787);
  const url = (await serve(wanted)) ?? (await serve(0));
  console.log(`# The hub listens on ${url}\n`);

  // Two developers' machines (each its own SPEC_KITTY_HOME), one project each.
  const ada = join(work, 'ada-home');
  const grace = join(work, 'grace-home');
  const shop = project('shop', ada, url);
  sk(ada, shop, ['feature', 'create', 'Checkout flow']);
  sk(ada, shop, ['wp', 'add', '001-checkout-flow', 'Cart model']);
  sk(ada, shop, ['wp', 'add', '001-checkout-flow', 'Payment form', '--deps', 'WP01']);
  sk(ada, shop, ['wp', 'add', '001-checkout-flow', 'Receipt email']);
  sk(ada, shop, ['implement', 'WP01']);
  sk(ada, shop, ['review', 'WP01']);
  sk(ada, shop, ['accept']);
  sk(ada, shop, ['implement', 'WP02']);
  sk(ada, shop, ['review', 'WP02']);
  sk(ada, shop, ['implement', 'WP03']);

  const api = project('api', grace, url);
  sk(grace, api, ['feature', 'create', 'Rate limits']);
  sk(grace, api, ['wp', 'add', '001-rate-limits', 'Token bucket']);
  sk(grace, api, ['wp', 'add', '001-rate-limits', '429 responses']);
  sk(grace, api, ['implement', 'WP01']);

  // Each command handed its events to the CLI's background sync; `sync now` waits until all are there.
  sk(ada, shop, ['sync', 'now']);
  sk(grace, api, ['sync', 'now']);

  const line = '─'.repeat(64);
  console.log(`${line}\n  Dashboard: ${url}/\n  Sign in:   ${USER} / ${PASSWORD}\n${line}`);
  if (exitAtOnce) {
    // For CI: the hub must hold both projects, then everything stops.
    const token = await (await fetch(`${url}/api/v1/token/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: USER, password: PASSWORD }) })).json();
    const { projects } = await (await fetch(`${url}/api/v1/projects/`, { headers: { authorization: `Bearer ${token.access}` } })).json();
    const slugs = projects.map((p) => p.project_slug).sort().join(', ');
    console.log(`The hub holds ${projects.length} projects (${slugs}). SPEC_KITTY_DEMO_EXIT is set: stopping.`);
    await stop(projects.length === 2 ? 0 : 1);
  } else {
    console.log('Try another move in a second terminal and watch it arrive, e.g.:');
    console.log(`  cd ${api} && SPEC_KITTY_HOME=${grace} node ${CLI} review WP01`);
    console.log('The hub keeps serving until Ctrl-C (then the throwaway folder is removed).');
  }
}

try {
  await main();
} catch (error) {
  console.error(error instanceof StepFailed ? error.message : `the demo failed: ${error?.stack ?? error}`);
  await stop(1);
}

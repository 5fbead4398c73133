import test from 'ava';
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { REPO_ROOT, tempDir } from '../helpers/cli.js';
import { makeGitRepo } from '../helpers/git.js';

const exec = promisify(execFile);
const ADDON = join('node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');

/**
 * What a user gets from `npm install spec-kitty`: the packed tarball installed into a fresh
 * project (dependencies from npm's cache, as after `npm ci`). The native SQLite build is copied
 * from this checkout instead of compiled again: building it is npm's job, not what is tested.
 */
async function installPackage(): Promise<{ project: string; bin: string }> {
  const packDir = tempDir('sk-pack-');
  const { stdout } = await exec('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', packDir], { cwd: REPO_ROOT });
  const tarball = join(packDir, (JSON.parse(stdout) as Array<{ filename: string }>)[0].filename);
  const project = makeGitRepo({ origin: 'git@github.com:acme/widgets.git' });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'widgets', private: true, type: 'module' }));
  await exec('npm', ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', tarball], { cwd: project });
  mkdirSync(join(project, ADDON, '..'), { recursive: true });
  copyFileSync(join(REPO_ROOT, ADDON), join(project, ADDON));
  return { project, bin: join(project, 'node_modules', 'spec-kitty', 'dist', 'spec-kitty.cjs') };
}

test('an installed package: a plugin in the project imports spec-kitty/plugin and receives events through .kittify/plugins.json', async (t) => {
  const { project, bin } = await installPackage();
  const home = tempDir('sk-home-');
  const run = (...args: string[]) => exec(process.execPath, [bin, ...args], { cwd: project, env: { ...process.env, SPEC_KITTY_HOME: home, NO_COLOR: '1' } });

  // The example plugin, copied as the docs tell a user to, plus a TypeScript one checked against the shipped types.
  cpSync(join(REPO_ROOT, 'examples', 'jsonl-log'), join(project, 'jsonl-log'), { recursive: true });
  await run('init');
  writeFileSync(join(project, '.kittify', 'plugins.json'), JSON.stringify({
    plugins: [{ use: './jsonl-log/index.js', after: 'queue-persist', options: { file: '.kittify/events.jsonl' } }],
  }));
  await run('feature', 'create', 'Shop');
  await run('wp', 'add', '1', 'Cart');
  await run('implement', 'WP01');

  const events = readFileSync(join(project, '.kittify', 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  t.deepEqual(events.map((e) => e.event_type), ['FeatureCreated', 'WPCreated', 'WPStatusChanged']);
  t.is(events[2].project_slug, 'widgets');
  const { stdout } = await run('plugins', 'list', '--json');
  const row = (JSON.parse(stdout) as { plugins: Array<{ name: string; status: string; phases: string[] }> }).plugins.find((p) => p.name === 'jsonl-log');
  t.like(row, { status: 'active', phases: ['persist'] });

  writeFileSync(join(project, 'stamp.ts'), `import { definePlugin } from 'spec-kitty/plugin';
export default definePlugin<{ prefix: string }>({
  name: 'stamp',
  validateOptions: (raw) => ({ prefix: String(raw.prefix ?? 'x') }),
  apply(hooks, { options }) {
    hooks.enrich.tap('stamp', (envelope) => ({ ...envelope, payload: { ...envelope.payload, stamp: options.prefix } }));
  },
});
// @ts-expect-error the shipped types reject a hook that does not exist
definePlugin({ name: 'bad', apply(hooks) { hooks.nope.tap('bad', () => {}); } });
`);
  const program = ts.createProgram([join(project, 'stamp.ts')], {
    module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022,
    strict: true, noEmit: true, skipLibCheck: false, types: [],
  });
  t.deepEqual(ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')), []);
});

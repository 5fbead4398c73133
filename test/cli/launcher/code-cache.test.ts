import test from 'ava';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, tempDir } from '../../helpers/cli.js';

/** The CommonJS wrapper build.mjs puts around the bundle. */
const wrap = (body: string) => `(function (exports, require, module, __filename, __dirname, __skImport) {\n${body}\n})`;

/** Runs a tiny CommonJS "bundle" through requireCached in a fresh process, as the launcher does. */
function runCached(dir: string, cacheDirs: string[], key = 'aaaa1111'): string {
  const script = `const { requireCached } = await import(${JSON.stringify(join(REPO_ROOT, 'cli/launcher/code-cache.ts'))});
    const m = requireCached(${JSON.stringify(join(dir, 'bundle.cjs'))}, 'demo', ${JSON.stringify(key)}, ${JSON.stringify(cacheDirs)}, (u) => import(u));
    process.stdout.write(String(await m.answer()));`;
  return execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO_ROOT, encoding: 'utf8' });
}

function bundleDir(): string {
  const dir = tempDir('sk-cache-');
  writeFileSync(join(dir, 'dep.mjs'), 'export const value = 41;');
  // The bundle reaches an ES module through the import the launcher hands it.
  writeFileSync(join(dir, 'bundle.cjs'), wrap(`exports.answer = async () => (await __skImport(${JSON.stringify('file://' + join(dir, 'dep.mjs'))})).value + 1;`));
  return dir;
}

test('the first run writes a cache, later runs use it and still work', (t) => {
  const dir = bundleDir();
  const cache = join(dir, 'cache');
  t.is(runCached(dir, [cache]), '42');
  const files = readdirSync(cache);
  t.is(files.length, 1);
  t.regex(files[0], /^demo-aaaa1111-.*\.v8$/);
  t.is(runCached(dir, [cache]), '42', 'dynamic import still resolves in code restored from the cache');
});

test('a damaged cache is rejected by V8 and rewritten; an unwritable folder is skipped', (t) => {
  const dir = bundleDir();
  const cache = join(dir, 'cache');
  runCached(dir, [cache]);
  const [name] = readdirSync(cache);
  writeFileSync(join(cache, name), 'garbage');
  t.is(runCached(dir, [cache]), '42');
  t.not(readFileSync(join(cache, name), 'utf8'), 'garbage');
  // A file where the first folder should be makes it unusable: the second folder takes the cache.
  const blocked = join(dir, 'blocked');
  writeFileSync(blocked, '');
  const fallback = join(dir, 'fallback');
  t.is(runCached(dir, [join(blocked, 'cache'), fallback]), '42');
  t.is(readdirSync(fallback).length, 1);
});

test('a new build of the bundle replaces the old cache of the command; a failed run writes none', (t) => {
  const dir = bundleDir();
  const cache = join(dir, 'cache');
  runCached(dir, [cache]);
  const [first] = readdirSync(cache);
  // Same command, another build, so another key.
  writeFileSync(join(dir, 'bundle.cjs'), readFileSync(join(dir, 'bundle.cjs'), 'utf8') + '\n// rebuilt');
  runCached(dir, [cache], 'bbbb2222');
  const after = readdirSync(cache);
  t.is(after.length, 1);
  t.not(after[0], first);

  const failing = bundleDir();
  writeFileSync(join(failing, 'bundle.cjs'), wrap('exports.answer = async () => { process.exitCode = 2; return 0; };'));
  // It runs to the end (its answer printed), then exits 2.
  const run = t.throws(() => runCached(failing, [join(failing, 'cache')])) as Error & { status: number; stdout: string };
  t.is(run.status, 2);
  t.is(run.stdout, '0');
  t.throws(() => readdirSync(join(failing, 'cache')), { code: 'ENOENT' });
});

test('an upgrade to a bundle of the same length runs the new code, not the old cache', (t) => {
  const dir = tempDir('sk-cache-');
  const cache = join(dir, 'cache');
  const bundle = join(dir, 'bundle.cjs');
  const a = wrap('exports.answer = async () => 41;');
  const b = wrap('exports.answer = async () => 42;');
  t.is(a.length, b.length);
  // npm installs every file with the same mtime: only the key can tell the builds apart.
  const fixed = new Date('1985-10-26T08:15:00Z');
  writeFileSync(bundle, a);
  utimesSync(bundle, fixed, fixed);
  t.is(runCached(dir, [cache], 'aaaa1111'), '41');
  t.is(readdirSync(cache).length, 1);
  writeFileSync(bundle, b);
  utimesSync(bundle, fixed, fixed);
  t.is(runCached(dir, [cache], 'bbbb2222'), '42');
  t.deepEqual(readdirSync(cache).map((f) => f.split('-').slice(0, 2).join('-')), ['demo-bbbb2222']);
  t.is(runCached(dir, [cache], 'bbbb2222'), '42', 'and from its own cache after that');
});

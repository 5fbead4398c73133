import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, tempDir } from '../helpers/cli.js';

const runScript = (script: string, home: string, cwd = REPO_ROOT) =>
  execFileSync(process.execPath, ['--import', 'tsx', '--conditions=spec-kitty-source', '--input-type=module', '-e', `process.chdir(${JSON.stringify(cwd)});\n${script}`], {
    cwd: REPO_ROOT, env: { ...process.env, SPEC_KITTY_HOME: home }, encoding: 'utf8',
  });

test('importing the CLI runtime does no work: no container, no home folder', (t) => {
  const home = join(tempDir(), 'home');
  const out = runScript(`await import(${JSON.stringify(join(REPO_ROOT, 'cli/runtime.ts'))});
    process.stdout.write(JSON.stringify({ reflect: typeof Reflect.getMetadata }));`, home);
  // reflect-metadata arrives with the container; finding it unset proves the container was not built.
  t.deepEqual(JSON.parse(out), { reflect: 'undefined' });
  t.false(existsSync(home));
});

test('one composition root: the emitter is built once, on the same services the reading commands use', (t) => {
  const home = join(tempDir(), 'home');
  const project = tempDir('sk-root-');
  mkdirSync(join(project, '.kittify'));
  const out = runScript(`const runtime = await import(${JSON.stringify(join(REPO_ROOT, 'cli/runtime.ts'))});
    const services = await runtime.cliServices();
    const [a, b] = await Promise.all([runtime.emitter(), runtime.emitter()]);
    process.stdout.write(JSON.stringify({ same: a === b, shared: a.container === services, plugins: a.plugins.length }));
    await runtime.shutdown();`, home, project);
  t.deepEqual(JSON.parse(out), { same: true, shared: true, plugins: 6 });
});

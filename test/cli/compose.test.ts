import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getEmitter, getEmitterIfBuilt, resetEmitter } from '../../core/emitter.js';
import type { Plugin } from '../../core/plugin.js';
import { REPO_ROOT, tempDir } from '../helpers/cli.js';
import { memoryPersist } from '../helpers/pipeline.js';

test('importing the emitter module does no work: no container, no home folder', (t) => {
  const home = join(tempDir(), 'home');
  const script = `await import(${JSON.stringify(join(REPO_ROOT, 'core/emitter.ts'))});
    process.stdout.write(JSON.stringify({ reflect: typeof Reflect.getMetadata }));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: REPO_ROOT, env: { ...process.env, SPEC_KITTY_HOME: home }, encoding: 'utf8',
  });
  // reflect-metadata arrives with the container; finding it unset proves the container was not built.
  t.deepEqual(JSON.parse(out), { reflect: 'undefined' });
  t.false(existsSync(home));
});

test.serial('getEmitter builds once on first use and returns the same emitter after', async (t) => {
  resetEmitter();
  t.is(getEmitterIfBuilt(), undefined);
  const dir = tempDir();
  const defaultsFile = join(dir, 'plugins.json');
  writeFileSync(defaultsFile, JSON.stringify({ plugins: [{ use: 'store' }] }));
  let loads = 0;
  const store: Plugin = memoryPersist([]);
  const builtins = { store: async () => { loads += 1; return { default: store }; } };
  const options = { cwd: dir, home: join(dir, 'home'), defaultsFile, builtins };
  const [a, b] = await Promise.all([getEmitter(options), getEmitter(options)]);
  const c = await getEmitter();
  t.is(a, b);
  t.is(a, c);
  t.is(loads, 1);
  await a.close();
  resetEmitter();
});

import test from 'ava';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT, tempDir } from '../helpers/cli.js';

const FOLDERS = ['contract', 'lib', 'core', 'services', 'hub'];

const modules = () => FOLDERS.flatMap((folder) => readdirSync(join(REPO_ROOT, folder), { withFileTypes: true, recursive: true })
  .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
  .map((e) => relative(REPO_ROOT, join(e.parentPath, e.name))));

// What importing a module could change for the whole process: globals, the standard streams,
// process listeners, the environment, the exit code, the working folder. One change is allowed,
// and it is inversify's, not ours: importing it installs the Reflect metadata API it runs on.
const SNAPSHOT = `() => JSON.stringify({
  globals: Object.getOwnPropertyNames(globalThis).sort(),
  reflect: Object.getOwnPropertyNames(Reflect).filter((k) => !/^(decorate|metadata|(define|delete|get|getOwn|has|hasOwn)Metadata(Keys)?)$/.test(k)).sort(),
  streams: ['stdout', 'stderr', 'stdin'].map((s) => String(Object.getOwnPropertyDescriptor(process, s)?.get)),
  listeners: process.eventNames().map((e) => [String(e), process.listenerCount(e)]),
  env: Object.keys(process.env).sort(),
  exitCode: process.exitCode ?? null,
  cwd: process.cwd(),
})`;

test('importing any module of contract/, lib/, core/, services/ or hub/ changes no process global', (t) => {
  const files = modules();
  t.true(files.length > 40, 'every module is imported');
  const home = join(tempDir(), 'home');
  const script = `const snap = ${SNAPSHOT};
    const before = snap();
    for (const f of ${JSON.stringify(files)}) await import(${JSON.stringify(REPO_ROOT + '/')} + f);
    process.stdout.write(JSON.stringify({ before: JSON.parse(before), after: JSON.parse(snap()) }));`;
  const out = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '--conditions=spec-kitty-source', '--input-type=module', '-e', script], {
    cwd: REPO_ROOT, env: { ...process.env, SPEC_KITTY_HOME: home }, encoding: 'utf8',
  })) as { before: unknown; after: unknown };
  t.deepEqual(out.after, out.before);
});

test('the snapshot sees a change: the CLI launcher stdio module does take over the standard streams', (t) => {
  const script = `const snap = ${SNAPSHOT};
    const before = snap();
    await import(${JSON.stringify(join(REPO_ROOT, 'cli/launcher/stdio.ts'))});
    process.stdout.write(String(before !== snap()));`;
  t.is(execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO_ROOT, encoding: 'utf8' }), 'true');
});

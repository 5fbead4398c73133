import test from 'ava';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, runCli, runJson, tempDir } from '../helpers/cli.js';

interface Row { position: number; name: string; use: string; phases: string[]; source: string; enabled: boolean; status: string; options: Record<string, unknown>; file: string; error?: string }

function project(plugins?: unknown): string {
  const dir = tempDir('sk-plugins-');
  mkdirSync(join(dir, '.kittify'));
  if (plugins !== undefined) writeFileSync(join(dir, '.kittify', 'plugins.json'), JSON.stringify(plugins));
  return dir;
}

test('plugins list --json shows the default pipeline in plugins.json order with the phases each plugin tapped', async (t) => {
  const dir = project();
  const out = await runJson<{ plugins: Row[] }>(['plugins', 'list', '--json'], { cwd: dir, home: join(dir, 'home') });
  t.deepEqual(out.plugins.map((p) => [p.position, p.name, p.phases, p.source]), [
    [1, 'identity-injection', ['enrich'], 'built-in'],
    [2, 'team-slug-auth', ['enrich'], 'built-in'],
    [3, 'dedupe-guard', ['guard', 'observe'], 'built-in'],
    [4, 'queue-persist', ['persist'], 'built-in'],
    [5, 'batch-sync', ['lifecycle'], 'built-in'],
    [6, 'websocket-transport', ['lifecycle', 'deliver'], 'built-in'],
  ]);
  t.true(out.plugins.every((p) => p.file.endsWith('plugins.json')));
  t.true(out.plugins.every((p) => p.status === 'active'));
});

test('a project file disables a built-in and adds the example plugin at its position', async (t) => {
  const example = join(REPO_ROOT, 'examples/jsonl-log/index.js');
  const dir = project({ plugins: [{ use: 'websocket-transport', enabled: false }, { use: example, before: 'dedupe-guard', options: { file: 'log.jsonl' } }] });
  const out = await runJson<{ plugins: Row[] }>(['plugins', 'list', '--json'], { cwd: dir, home: join(dir, 'home') });
  const names = out.plugins.map((p) => p.name);
  t.deepEqual(names, ['identity-injection', 'team-slug-auth', 'jsonl-log', 'dedupe-guard', 'queue-persist', 'batch-sync', 'websocket-transport']);
  const jsonl = out.plugins[2];
  t.is(jsonl.source, 'path');
  t.is(jsonl.status, 'active');
  t.deepEqual(jsonl.options, { file: 'log.jsonl' });
  t.regex(jsonl.file, /\.kittify\/plugins\.json$/);
  const ws = out.plugins[6];
  t.false(ws.enabled);
  t.is(ws.status, 'disabled');
});

test('plugins list names a broken plugin and its file, human and JSON, and exits 0', async (t) => {
  const dir = project({ plugins: [{ use: 'no-such-plugin' }] });
  const human = await runCli(['plugins', 'list'], { cwd: dir, home: join(dir, 'home') });
  t.is(human.code, 0);
  t.regex(human.stderr, /plugin "no-such-plugin" \(.*\.kittify\/plugins\.json\): cannot be loaded: unknown plugin/);
  t.regex(human.stdout, /no-such-plugin\s+-\s+package\s+error/);
  const out = await runJson<{ plugins: Row[] }>(['plugins', 'list', '--json'], { cwd: dir, home: join(dir, 'home') });
  t.is(out.plugins.at(-1)!.status, 'error');
});

test('a third-party plugin loads on every run, also once the CLI runs from its code cache', async (t) => {
  const dir = project({ plugins: [{ use: join(REPO_ROOT, 'examples/jsonl-log/index.js') }] });
  for (let run = 0; run < 2; run++) {
    const out = await runJson<{ plugins: Row[] }>(['plugins', 'list', '--json'], { cwd: dir, home: join(dir, 'home') });
    t.is(out.plugins.at(-1)!.status, 'active', `run ${run + 1}`);
  }
});

test('status and sync status read the queue without loading the pipeline; plugins list does load it', async (t) => {
  const marker = join(tempDir(), 'loaded');
  const dir = project({ plugins: [{ use: './.kittify/marker.mjs' }] });
  writeFileSync(join(dir, '.kittify', 'marker.mjs'),
    `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'x');\nexport default { name: 'marker', apply() {} };\n`);
  const opts = { cwd: dir, home: join(dir, 'home') };
  for (const args of [['status', '--json'], ['sync', 'status', '--json'], ['sync', 'queue', '--json']]) {
    const r = await runCli(args, opts);
    t.is(r.code, 0, r.stderr);
    t.false(existsSync(marker), `${args.join(' ')} loaded a plugin`);
  }
  t.is((await runCli(['plugins', 'list'], opts)).code, 0);
  t.true(existsSync(marker));
});

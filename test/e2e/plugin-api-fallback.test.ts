import test from 'ava';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';
import { makeGitRepo } from '../helpers/git.js';

test('a project without spec-kitty installed still runs a plugin that imports spec-kitty/plugin (the CLI lends its own)', async (t) => {
  const project = makeGitRepo({ origin: 'git@github.com:acme/loose.git' });
  const home = tempDir('sk-home-');
  const run = async (...args: string[]) => {
    const r = await runCli(args, { cwd: project, home });
    t.is(r.code, 0, r.stderr);
    return r;
  };
  cpSync(join(REPO_ROOT, 'examples', 'jsonl-log'), join(project, 'jsonl-log'), { recursive: true });
  await run('init');
  mkdirSync(join(project, '.kittify'), { recursive: true });
  writeFileSync(join(project, '.kittify', 'plugins.json'), JSON.stringify({ plugins: [{ use: './jsonl-log/index.js' }] }));
  const created = await run('feature', 'create', 'Shop');
  t.notRegex(created.stderr, /jsonl-log/);
  const lines = readFileSync(join(project, '.kittify', 'events.jsonl'), 'utf8').trim().split('\n');
  t.deepEqual(lines.map((l) => (JSON.parse(l) as { event_type: string }).event_type), ['FeatureCreated']);
});

import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { tempDir } from '../../helpers/cli.js';
import { makeProject, raceScripts, runScript } from '../../helpers/identity.js';

// Real processes, released together from a barrier: without the lock and the re-read under
// it, each would write its own uuid and the last rename would win. (test/e2e/init.test.ts
// races 8 `spec-kitty init` on a project with no config.yaml at all.)
const config = '# ours\nsync:\n  auto_start: true\n';
test('8 processes emitting at once on a project without identity agree on one uuid, in the file and in every event', async (t) => {
  const root = makeProject({ origin: 'https://github.com/acme/raced.git', config });
  const home = join(tempDir(), 'home');
  const runs = Array.from({ length: 8 }, () => runScript('test/services/identity/fixtures/emit-once.ts', [root, home]));
  const results = await raceScripts(runs);
  for (const r of results) t.is(r.code, 0, r.stderr);

  const file = parse(readFileSync(join(root, '.kittify', 'config.yaml'), 'utf8'));
  const uuids = new Set(results.map((r) => r.result.envelope.project_uuid));
  t.deepEqual([...uuids], [file.project.uuid]);
  for (const r of results) {
    t.deepEqual(r.result.violations, []);
    t.is(r.result.envelope.project_slug, 'raced');
    t.true(r.result.deliverable);
  }
  t.deepEqual(file.sync, { auto_start: true });
  t.deepEqual(readdirSync(join(root, '.kittify')), ['config.yaml'], 'no lock or temp file left behind');
  // The clock is shared by the 8 processes too.
  t.is(new Set(results.map((r) => r.result.envelope.lamport_clock)).size, 8);
});

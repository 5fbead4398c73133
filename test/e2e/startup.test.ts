import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';
import { initRepo } from './workflow-helpers.js';

const RECORD = join(REPO_ROOT, 'test', 'e2e', 'fixtures', 'record-modules.cjs');

// Each of these costs an everyday command milliseconds to load (bench/ has the figures); none is
// needed to move a WP and queue its event, so loading one at start-up again is a regression.
const NOT_NEEDED = ['crypto', 'child_process', 'tty', 'net', 'stream'];

test('implement WP01 loads none of node:crypto, child_process, tty, net or the stream stack', async (t) => {
  const p = await initRepo();
  await p.ok('feature', 'create', 'Shop'); // the first event: the machine's node-id is derived once, here
  await p.ok('wp', 'add', '1', 'A');
  const out = join(tempDir(), 'modules.json');
  const r = await runCli(['implement', 'WP01'], {
    cwd: p.repo, home: p.home, env: { NODE_OPTIONS: `--require ${RECORD}`, SK_TEST_MODULES_OUT: out },
  });
  t.is(r.code, 0, r.stderr);
  const loaded = new Set((JSON.parse(readFileSync(out, 'utf8')) as string[]).map((m) => m.replace(/^NativeModule /, '')));
  t.true(loaded.has('vm'), 'the record is real: the launcher loads node:vm');
  t.deepEqual(NOT_NEEDED.filter((m) => loaded.has(m)), []);
});

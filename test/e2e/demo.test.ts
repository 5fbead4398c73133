import test from 'ava';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/cli.js';

// `npm run demo` (README's first command) must keep working: with SPEC_KITTY_DEMO_EXIT=1 it runs
// the whole loop (hub, demo user, two projects through their lanes, synced) and stops at once.
test('the demo runs the whole loop, prints the dashboard and its sign-in, and stops at once with SPEC_KITTY_DEMO_EXIT=1', async (t) => {
  t.timeout(120_000);
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(process.execPath, [join(REPO_ROOT, 'examples/demo.mjs')], {
      env: { ...process.env, SPEC_KITTY_DEMO_EXIT: '1', SPEC_KITTY_DEMO_PORT: '0' }, maxBuffer: 16 << 20,
    }, (error, out, err) => resolve({ code: error ? (error as { code?: number }).code ?? 1 : 0, stdout: out, stderr: err }));
    child.stdin?.end();
  });
  t.is(code, 0, `${stdout}\n${stderr}`);
  t.regex(stdout, /Dashboard: http:\/\/127\.0\.0\.1:\d+\//);
  t.regex(stdout, /Sign in: {3}demo \/ \S+/);
  t.regex(stdout, /The hub holds 2 projects \(api, shop\)/);
  t.regex(stdout, /\$ spec-kitty implement WP01/);
});

import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, runCli, tempDir } from '../helpers/cli.js';

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };

test('--version prints the package version', async (t) => {
  const dir = tempDir();
  for (const flag of ['--version', '-V']) {
    const r = await runCli([flag], { cwd: dir, home: join(dir, 'home') });
    t.is(r.code, 0);
    t.is(r.stdout.trim(), pkg.version);
  }
});

test('--help lists the commands, examples, environment and exit codes', async (t) => {
  const dir = tempDir();
  const r = await runCli(['--help'], { cwd: dir, home: join(dir, 'home') });
  t.is(r.code, 0);
  for (const text of ['plugins', 'Examples:', '$ spec-kitty implement WP01', 'SPEC_KITTY_HOME', 'NO_COLOR', 'Exit codes:']) {
    t.true(r.stdout.includes(text), `help mentions ${text}`);
  }
});

test('--help documents each exit code and the JSON error object with its codes', async (t) => {
  const dir = tempDir();
  const r = await runCli(['--help'], { cwd: dir, home: join(dir, 'home') });
  const section = r.stdout.slice(r.stdout.indexOf('Exit codes:'));
  for (const code of ['0', '1', '2', '3']) t.regex(section, new RegExp(`^  ${code}  \\S`, 'm'), `exit ${code} is listed`);
  t.regex(section, /2 {2}bad input: .*unknown command or option/);
  t.regex(section, /1 {2}the command failed: .*refused by the lane rules/);
  t.true(section.includes('{"error":{"code":"…","message":"…"}}'));
  for (const code of ['usage', 'failed', 'not_queued', 'invalid_plugin_config', 'contract_violation', 'internal']) {
    t.true(section.includes(code), `the code ${code} is listed`);
  }
});

test('an unknown command or option is a usage error (exit 2) that points at --help', async (t) => {
  const dir = tempDir();
  const cmd = await runCli(['frobnicate'], { cwd: dir, home: join(dir, 'home') });
  t.is(cmd.code, 2);
  t.regex(cmd.stderr, /unknown command 'frobnicate'/);
  t.regex(cmd.stderr, /--help/);
  const opt = await runCli(['plugins', 'list', '--jsn'], { cwd: dir, home: join(dir, 'home') });
  t.is(opt.code, 2);
  t.regex(opt.stderr, /unknown option '--jsn'/);
});

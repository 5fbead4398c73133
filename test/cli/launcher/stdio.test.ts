import test from 'ava';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, tempDir } from '../../helpers/cli.js';

const FIXTURE = join(REPO_ROOT, 'test', 'cli', 'launcher', 'fixtures', 'stdio.ts');
const node = [process.execPath, '--import', 'tsx', FIXTURE];

/** Runs the fixture with a reader that starts reading only after `delayMs`, so the pipe fills up. */
function slowReader(args: string[], delayMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(node[0], [...node.slice(1), ...args], { cwd: REPO_ROOT });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.pause();
    setTimeout(() => child.stdout.resume(), delayMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => { stderr += b; });
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString(), stderr }));
  });
}

const lines = (n: number) => Array.from({ length: n }, (_, i) => `${String(i).padStart(8, '0')}${'x'.repeat(91)}`);

test('1 MB written to a pipe whose reader is late arrives whole and in order', async (t) => {
  const r = await slowReader(['write', '1000000'], 300);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(r.stdout.trimEnd().split('\n'), lines(10000));
});

test('a full non-blocking pipe (EAGAIN) hands the rest to Node\'s stream, still in order', async (t) => {
  const r = await slowReader(['write', '1000000', 'stream-first'], 300);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(r.stdout.trimEnd().split('\n'), ['start', ...lines(10000)]);
  t.is(r.stderr, 'done\n');
});

const shell = (script: string) => spawnSync('bash', ['-o', 'pipefail', '-c', script], { cwd: REPO_ROOT, encoding: 'utf8' });
const fixture = node.map((a) => `'${a}'`).join(' ');

test('a reader that goes away (| head) ends the output quietly, not with EPIPE', (t) => {
  const r = shell(`${fixture} write 1000000 | head -c 20`);
  t.is(r.stdout, lines(1)[0].slice(0, 20));
  t.is(r.stderr, 'done\n');
  t.is(r.status, 0);
});

test('a reader that goes away after the stream took over also ends the output quietly', (t) => {
  const r = shell(`${fixture} write 1000000 stream-first | (sleep 1; head -c 6)`);
  t.is(r.stdout, 'start\n');
  t.is(r.stderr, 'done\n');
  t.is(r.status, 0);
});

test('output the stream still holds (a plugin\'s console.log) is not overtaken by a direct write', async (t) => {
  const r = await slowReader(['stream-then-mark'], 100);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout, 'y'.repeat(1_000_000) + '\nMARK\n');
});

test('isTerminal: false for a pipe and a file, true on a real terminal', (t) => {
  t.is(spawnSync(node[0], [...node.slice(1), 'is-terminal'], { cwd: REPO_ROOT, encoding: 'utf8' }).stdout, 'false\n');
  const file = join(tempDir(), 'out.txt');
  shell(`${fixture} is-terminal > '${file}'`);
  t.is(readFileSync(file, 'utf8'), 'false\n');
  // util-linux `script` runs the fixture on a pseudo-terminal.
  const pty = spawnSync('script', ['-qec', `${fixture} is-terminal`, '/dev/null'], { cwd: REPO_ROOT, encoding: 'utf8' });
  t.is(pty.stdout.trim(), 'true');
});

const STDIO = join(REPO_ROOT, 'cli', 'launcher', 'stdio.ts');
/** Runs `body` (with `m`, the stdio module) in a child, with its stdout redirected by `redirect`. */
const script = (body: string, redirect: string) => spawnSync('bash', ['-o', 'pipefail', '-c', `'${process.execPath}' --import tsx --input-type=module -e "$SCRIPT" ${redirect}`], {
  cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, SCRIPT: `const m = await import(${JSON.stringify(STDIO)}); ${body}` },
});

test('a direct write to a full disk (/dev/full) throws one OutputError with a one-line message; later writes are dropped', (t) => {
  const r = script(`
    try { m.writeFd(1, 'x\\n'); } catch (e) { m.writeFd(2, e.name + ': ' + e.message + '\\n'); }
    m.writeFd(1, 'dropped\\n');
    m.writeFd(2, String(m.outputFailure()?.code) + '\\n');`, '> /dev/full');
  t.is(r.stderr, 'OutputError: cannot write to stdout: no space left on device (ENOSPC)\nENOSPC\n');
  t.is(r.status, 0);
});

test('a stream write to a full disk (a plugin\'s console.log): one line on stderr, exit 1, no stack trace', (t) => {
  const r = script(`process.stdout.write('from a plugin\\n'); m.writeFd(1, 'ours\\n'); m.writeFd(2, 'done\\n');`, '> /dev/full');
  t.is(r.stderr, 'done\nerror: cannot write to stdout: no space left on device (ENOSPC)\n');
  t.is(r.status, 1);
});

test('a reader gone before anything was written (| true): direct and stream writes end quietly, exit 0', (t) => {
  for (const body of [
    `m.writeFd(1, 'x'.repeat(200000)); m.writeFd(1, 'more\\n'); m.writeFd(2, String(m.outputFailure()) + '\\n');`,
    `process.stdout.write('x'.repeat(200000)); m.writeFd(1, 'more\\n'); setTimeout(() => m.writeFd(2, String(m.outputFailure()) + '\\n'), 50);`,
  ]) {
    const r = script(body, '| (exec 0<&-; true)');
    t.is(r.stderr, 'undefined\n');
    t.is(r.status, 0);
  }
});

test('a failure on stderr itself is dropped: nowhere is left to say it', (t) => {
  const r = script(`m.writeFd(2, 'lost\\n'); m.writeFd(1, 'still here\\n');`, '2> /dev/full');
  t.is(r.stdout, 'still here\n');
  t.is(r.status, 0);
});

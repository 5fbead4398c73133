import test from 'ava';
import { createLogger, useColor } from '../../lib/logger.js';

const withEnv = <T>(env: Record<string, string | undefined>, fn: () => T): T => {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) v === undefined ? delete process.env[k] : (process.env[k] = v);
  try { return fn(); } finally { for (const [k, v] of Object.entries(saved)) v === undefined ? delete process.env[k] : (process.env[k] = v); }
};
const tty = () => true;

test.serial('NO_COLOR turns colour off, even on a terminal', (t) => {
  t.false(withEnv({ NO_COLOR: '1', FORCE_COLOR: undefined }, () => useColor(tty)));
  t.true(withEnv({ NO_COLOR: undefined, FORCE_COLOR: undefined }, () => useColor(tty)));
});

test.serial('FORCE_COLOR=0 or false means no colour; any other value forces it', (t) => {
  const pipe = () => false;
  t.false(withEnv({ NO_COLOR: undefined, FORCE_COLOR: '0' }, () => useColor(tty)));
  t.false(withEnv({ NO_COLOR: undefined, FORCE_COLOR: 'false' }, () => useColor(tty)));
  t.true(withEnv({ NO_COLOR: undefined, FORCE_COLOR: '1' }, () => useColor(pipe)));
});

test('warnOnce warns once per key; debug lines appear only when verbose', (t) => {
  const lines: string[] = [];
  const quiet = createLogger({ color: false, verbose: false, write: (l) => lines.push(l) });
  quiet.warnOnce('k', 'first');
  quiet.warnOnce('k', 'again');
  quiet.debug('hidden');
  t.deepEqual(lines, ['warning: first']);
  createLogger({ color: false, verbose: true, write: (l) => lines.push(l) }).debug('shown');
  t.deepEqual(lines, ['warning: first', 'debug: shown']);
});

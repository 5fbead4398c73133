import test from 'ava';
import { validateOptions as dedupe } from '../../plugins/dedupe-guard/options.validate.js';
import { validateOptions as queuePersist } from '../../plugins/queue-persist/options.validate.js';
import { validateOptions as identity } from '../../plugins/identity-injection/options.validate.js';
import { validateOptions as teamSlug } from '../../plugins/team-slug-auth/options.validate.js';
import { optionsViolations } from '../../contract/index.js';
import { validate as dedupeCheck } from '../../plugins/dedupe-guard/options.check.js';

test('dedupe-guard: defaults, and the given options win', (t) => {
  t.deepEqual(dedupe({}), { scope: 'command', windowMs: 60_000 });
  t.deepEqual(dedupe({ scope: 'command' }), { scope: 'command', windowMs: 60_000 });
  t.deepEqual(dedupe({ scope: 'window', windowMs: 5000 }), { scope: 'window', windowMs: 5000 });
  t.deepEqual(dedupe({ scope: 'window' }), { scope: 'window', windowMs: 60_000 });
});

test('dedupe-guard: each bad option is named with the value it got', (t) => {
  t.throws(() => dedupe({ scope: 'forever' }), { message: 'option "scope" must be one of "command", "window", got "forever"' });
  t.throws(() => dedupe({ scope: 'window', windowMs: 0 }), { message: 'option "windowMs" must be a number ≥ 1, got 0' });
  t.throws(() => dedupe({ scope: 'window', windowMs: '5s' }), { message: 'option "windowMs" must be a number ≥ 1, got "5s"' });
  t.throws(() => dedupe({ scopes: 'command' }), { message: 'unknown option "scopes" (known: scope, windowMs)' });
});

test('dedupe-guard: windowMs applies only with scope "window"', (t) => {
  t.throws(() => dedupe({ windowMs: 5000 }), { message: 'option "windowMs" applies only with scope "window"' });
  t.throws(() => dedupe({ scope: 'command', windowMs: 5000 }), { message: 'option "windowMs" applies only with scope "window"' });
});

test('every violation is listed at once, unknown options first', (t) => {
  t.deepEqual(optionsViolations(dedupeCheck, { a: 1, b: 2, scope: 'forever', windowMs: -1 }), [
    'unknown options "a", "b" (known: scope, windowMs)',
    'option "scope" must be one of "command", "window", got "forever"',
    'option "windowMs" must be a number ≥ 1, got -1',
    'option "windowMs" applies only with scope "window"',
  ]);
  t.throws(() => dedupe({ a: 1, scope: 'forever' }), {
    message: 'unknown option "a" (known: scope, windowMs); option "scope" must be one of "command", "window", got "forever"',
  });
  t.deepEqual(optionsViolations(dedupeCheck, []), ['options must be an object, got []']);
});

test('queue-persist: defaults, softCap floored, bad values named', (t) => {
  t.deepEqual(queuePersist({}), { softCap: 100_000, retentionDays: 7 });
  t.deepEqual(queuePersist({ softCap: 10.7, retentionDays: 0.5 }), { softCap: 10, retentionDays: 0.5 });
  t.deepEqual(queuePersist({ softCap: 0 }), { softCap: 0, retentionDays: 7 });
  t.throws(() => queuePersist({ softCap: -1 }), { message: 'option "softCap" must be a number ≥ 0, got -1' });
  t.throws(() => queuePersist({ retentionDays: 'week' }), { message: 'option "retentionDays" must be a number ≥ 0, got "week"' });
  t.throws(() => queuePersist({ softcap: 5 }), { message: 'unknown option "softcap" (known: softCap, retentionDays)' });
});

test('identity-injection and team-slug-auth take no options', (t) => {
  t.deepEqual(identity({}), {});
  t.deepEqual(teamSlug({}), {});
  t.throws(() => identity({ file: 'x' }), { message: 'unknown option "file" (known: none)' });
  t.throws(() => teamSlug({ team: 'x', org: 'y' }), { message: 'unknown options "team", "org" (known: none)' });
});

test('the raw options are not modified', (t) => {
  const raw = { scope: 'window' };
  dedupe(raw);
  t.deepEqual(raw, { scope: 'window' });
});

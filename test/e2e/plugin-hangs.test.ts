import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initRepo, summary } from './workflow-helpers.js';

/** A repository whose .kittify/plugins.json adds one project plugin with the given source. */
async function withPlugin(source: string) {
  const p = await initRepo();
  writeFileSync(join(p.repo, '.kittify', 'odd.mjs'), source);
  writeFileSync(join(p.repo, '.kittify', 'plugins.json'), JSON.stringify({ plugins: [{ use: './.kittify/odd.mjs' }] }));
  return p;
}

test('a plugin that leaves a timer running does not keep the command alive: it exits 0 and names the plugin', async (t) => {
  const p = await withPlugin("export default { name: 'leaky', apply(h) { h.emitted.tap('leaky', () => { setInterval(() => {}, 1000); }); } };");
  const started = Date.now();
  const r = await p.run('feature', 'create', 'Shop');
  t.is(r.code, 0, r.stderr);
  t.true(Date.now() - started < 5000);
  t.regex(r.stderr, /plugin "leaky" left a Timeout open after the command finished; spec-kitty exits without waiting for it/);
  t.deepEqual(summary(await p.events()), ['FeatureCreated 001-shop']);
});

test('a plugin that leaves a socket open does not keep the command alive either', async (t) => {
  const p = await withPlugin(`import { createServer } from 'node:net';
export default { name: 'listener', apply(h) { h.emitted.tap('listener', () => { createServer().listen(0, '127.0.0.1'); }); } };`);
  const r = await p.run('feature', 'create', 'Shop');
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /plugin "listener" left a TCPSERVERWRAP open/);
});

test('an enrich tap that never settles is cut off: the command succeeds and its event is queued, degraded', async (t) => {
  const p = await withPlugin("export default { name: 'stuck', apply(h) { h.enrich.tapPromise('stuck', () => new Promise(() => setTimeout(() => {}, 60_000))); } };");
  const r = await p.run('feature', 'create', 'Shop');
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /enrich plugin "stuck" failed \(enrich plugin "stuck" did not finish within 5000 ms\)/);
  t.deepEqual(summary(await p.events()), ['FeatureCreated 001-shop']);
});

test('a command whose work never settles never exits 0', async (t) => {
  // Its module never finishes loading, and nothing keeps the event loop alive meanwhile.
  const p = await withPlugin('await new Promise(() => {});\nexport default { name: \'never\', apply() {} };');
  const r = await p.run('feature', 'create', 'Shop');
  t.is(r.code, 1);
  t.regex(r.stderr, /spec-kitty stopped before the command finished/);
  t.deepEqual(await p.events(), []);
});

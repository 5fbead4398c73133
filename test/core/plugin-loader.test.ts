import test from 'ava';
import { createEmitter } from '../../cli/composition-root.js';
import { PluginConfigError } from '../../core/errors.js';
import type { Envelope } from '../../contract/index.js';
import type { Plugin } from '../../core/plugin.js';
import { draft, makePipeline, memoryPersist } from '../helpers/pipeline.js';

const tagger = (tag: string, calls: string[]): Plugin => ({
  name: tag,
  apply(hooks) { hooks.enrich.tap(tag, (e) => { calls.push(tag); return e; }); },
});

test('a project can disable a built-in and change its options without copying the list', async (t) => {
  const calls: string[] = [];
  let seenOptions: unknown;
  const configurable: Plugin<{ level: number; mode: string }> = {
    name: 'conf',
    validateOptions: (raw) => ({ level: Number(raw.level ?? 1), mode: String(raw.mode ?? 'a') }),
    apply(hooks, ctx) { seenOptions = ctx.options; hooks.enrich.tap('conf', (e) => e); },
  };
  const { emitter } = await makePipeline(
    [{ use: 'a' }, { use: 'conf', options: { level: 1, mode: 'keep' } }, { use: 'store' }],
    { a: tagger('a', calls), conf: configurable, store: memoryPersist([]) },
    { projectPlugins: { plugins: [{ use: 'a', enabled: false }, { use: 'conf', options: { level: 5 } }] } },
  );
  await emitter.emit(draft());
  t.deepEqual(calls, []);
  t.deepEqual(seenOptions, { level: 5, mode: 'keep' });
  const a = emitter.plugins.find((p) => p.entry.use === 'a')!;
  t.is(a.status, 'disabled');
  t.regex(a.entry.adjustedIn!, /\.kittify[\\/]plugins\.json$/);
});

test('a third-party plugin loads by path from .kittify/plugins.json at the chosen position', async (t) => {
  const calls: string[] = [];
  const plugin = `export default (options) => ({ name: 'third',
    apply(hooks) { hooks.enrich.tap('third', (e) => { globalThis.__skCalls.push('third:' + options.tag); return e; }); } });`;
  (globalThis as { __skCalls?: string[] }).__skCalls = calls;
  const { emitter } = await makePipeline(
    [{ use: 'a' }, { use: 'b' }, { use: 'store' }],
    { a: tagger('a', calls), b: tagger('b', calls), store: memoryPersist([]) },
    {
      projectPlugins: { plugins: [{ use: './plugins/third.mjs', after: 'a', options: { tag: 'x' } }] },
      projectFiles: { 'plugins/third.mjs': plugin },
    },
  );
  await emitter.emit(draft());
  t.deepEqual(calls, ['a', 'third:x', 'b']);
  t.deepEqual(emitter.plugins.map((p) => p.entry.use), ['a', './plugins/third.mjs', 'b', 'store']);
  t.is(emitter.plugins[1].entry.source, 'path');
});

test('a third-party plugin loads by package name from the project', async (t) => {
  const stored: Envelope[] = [];
  const pkg = {
    'node_modules/sk-plugin-stamp/package.json': JSON.stringify({ name: 'sk-plugin-stamp', type: 'module', main: 'index.js' }),
    'node_modules/sk-plugin-stamp/index.js': `export default { name: 'stamp',
      apply(hooks) { hooks.enrich.tap('stamp', (e) => ({ ...e, project_slug: 'stamped' })); } };`,
  };
  const { emitter } = await makePipeline([{ use: 'store' }], { store: memoryPersist(stored) },
    { projectPlugins: { plugins: [{ use: 'sk-plugin-stamp', before: 'store' }] }, projectFiles: pkg });
  await emitter.emit(draft());
  t.is(stored[0].project_slug, 'stamped');
  t.is(emitter.plugins[0].entry.source, 'package');
});

test('an unknown plugin is reported with its name and file, and the rest still queues events', async (t) => {
  const stored: Envelope[] = [];
  const { emitter, log } = await makePipeline([{ use: 'store' }], { store: memoryPersist(stored) },
    { projectPlugins: { plugins: [{ use: 'dedupe-gaurd' }] } });
  const bad = emitter.plugins.find((p) => p.entry.use === 'dedupe-gaurd')!;
  t.is(bad.status, 'error');
  t.regex(bad.error!, /unknown plugin/);
  t.true(log.some((l) => l.includes('plugin "dedupe-gaurd"') && l.includes('.kittify') && l.includes('plugins.json')));
  await emitter.emit(draft());
  t.is(stored.length, 1);
});

test('a missing module, invalid options and a throwing apply each name the plugin and skip only it', async (t) => {
  const calls: string[] = [];
  const strict: Plugin = {
    name: 'strict',
    validateOptions(raw) { if (raw.size !== undefined && typeof raw.size !== 'number') throw new Error('option "size" must be a number'); return raw; },
    apply(hooks) { hooks.enrich.tap('strict', (e) => { calls.push('strict'); return e; }); },
  };
  const halfway: Plugin = {
    name: 'halfway',
    apply(hooks) {
      hooks.enrich.tap('halfway', (e) => { calls.push('halfway'); return e; });
      throw new Error('no credentials');
    },
  };
  const stored: Envelope[] = [];
  const { emitter, log } = await makePipeline(
    [{ use: 'strict', options: { size: 'big' } }, { use: 'halfway' }, { use: 'ok' }, { use: 'store' }],
    { strict, halfway, ok: tagger('ok', calls), store: memoryPersist(stored) },
    { projectPlugins: { plugins: [{ use: './missing.js' }] } },
  );
  const byUse = Object.fromEntries(emitter.plugins.map((p) => [p.entry.use, p]));
  t.regex(byUse.strict.error!, /invalid options: option "size" must be a number/);
  t.regex(byUse.halfway.error!, /failed to start: no credentials/);
  t.regex(byUse['./missing.js'].error!, /cannot be loaded/);
  t.true(log.some((l) => l.includes('plugin "strict"') && l.includes('plugins.json')));
  await emitter.emit(draft());
  t.deepEqual(calls, ['ok'], 'a plugin that threw in apply leaves no taps behind');
  t.is(stored.length, 1);
});

test('a required plugin that cannot start stops the emitter with the plugin and file named', async (t) => {
  const broken: Plugin = { name: 'store', apply() { throw new Error('queue.db is locked'); } };
  const err = await t.throwsAsync(makePipeline([{ use: 'store', required: true }], { store: broken }), { instanceOf: PluginConfigError });
  t.regex(err!.message, /plugin "store" \(.*plugins\.json\): failed to start: queue\.db is locked/);
});

test('a broken project plugins.json is reported with line and column, and the default pipeline runs', async (t) => {
  const stored: Envelope[] = [];
  const { emitter, log } = await makePipeline([{ use: 'store' }], { store: memoryPersist(stored) },
    { projectPlugins: '{\n  "plugins": [\n    { "use": "x", }\n  ]\n}' });
  t.true(log.some((l) => /invalid JSON: .*line 3, column \d+/.test(l)), log.join('\n'));
  await emitter.emit(draft());
  t.is(stored.length, 1);
});

test('project entries with bad shapes or unknown anchors are reported and skipped', async (t) => {
  const { emitter, log } = await makePipeline([{ use: 'store' }], { store: memoryPersist([]) }, {
    projectPlugins: { plugins: [{ use: 'x', after: 'nowhere' }, { use: 'store', enabled: 'no' }, { usee: 'typo' }] },
  });
  t.deepEqual(emitter.plugins.map((p) => p.entry.use), ['store']);
  t.is(emitter.plugins[0].status, 'active');
  t.true(log.some((l) => l.includes('"after" names "nowhere"')));
  t.true(log.some((l) => l.includes('"enabled" must be true or false')));
  t.true(log.some((l) => l.includes('"use" must name')));
});

test('a broken default plugins.json is a hard error naming the file', async (t) => {
  await t.throwsAsync(createEmitter({ defaultsFile: '/nonexistent/plugins.json', builtins: {} }), {
    instanceOf: PluginConfigError, message: /\/nonexistent\/plugins\.json/,
  });
});

test('a tap is credited to the plugin that made it, whatever name it passes, and its phases are the hooks it tapped', async (t) => {
  const impostor: Plugin = {
    name: 'impostor',
    apply(hooks) {
      hooks.guard.tap('queue-persist', () => 'nope');
      hooks.dropped.tap({ name: 'someone-else' }, () => {});
    },
  };
  const { emitter } = await makePipeline([{ use: 'impostor' }, { use: 'store' }], { impostor, store: memoryPersist([]) });
  const result = await emitter.emit(draft());
  t.is(result.status, 'dropped');
  t.deepEqual(result.status === 'dropped' && result.drop, { plugin: 'impostor', reason: 'nope' });
  t.deepEqual(emitter.plugins.map((p) => [p.entry.use, p.phases]), [['impostor', ['guard', 'observe']], ['store', ['persist']]]);
});

test('a required plugin cannot be disabled by a project: refused with the file named, and it still runs', async (t) => {
  const stored: unknown[] = [];
  const { emitter, log } = await makePipeline(
    [{ use: 'store', required: true }], { store: memoryPersist(stored) },
    { projectPlugins: { plugins: [{ use: 'store', enabled: false }] } },
  );
  t.true(log.some((l) => /plugin "store" \(.*\.kittify[\\/]plugins\.json\): is required and cannot be disabled/.test(l)), log.join('\n'));
  t.is(emitter.plugins[0].status, 'active');
  t.is((await emitter.emit(draft())).status, 'emitted');
  t.is(stored.length, 1);
});

test('a plugin that calls a tap method its hook does not have fails to start and leaves no tap behind', async (t) => {
  const half: Plugin = {
    name: 'half',
    apply(hooks) {
      hooks.guard.tap('half', () => 'dropped by half');
      (hooks.emitted as unknown as { tapPromise(n: string, f: () => Promise<void>): void }).tapPromise('half', async () => {});
    },
  };
  const { emitter } = await makePipeline([{ use: 'half' }, { use: 'store' }], { half, store: memoryPersist([]) });
  t.is(emitter.plugins[0].status, 'error');
  t.regex(emitter.plugins[0].error!, /failed to start/);
  t.is((await emitter.emit(draft())).status, 'emitted');
});

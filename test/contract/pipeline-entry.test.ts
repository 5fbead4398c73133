import test from 'ava';
import { pipelineEntryViolations } from '../../contract/index.js';

const project = { allowPosition: true };
const defaults = { allowPosition: false };

test('good entries have no violations', (t) => {
  t.deepEqual(pipelineEntryViolations({ use: 'dedupe-guard', enabled: false, required: true, options: { scope: 'window' } }, defaults), []);
  t.deepEqual(pipelineEntryViolations({ use: './my-plugin.js', after: 'dedupe-guard' }, project), []);
  t.deepEqual(pipelineEntryViolations({ use: '@acme/audit', before: 'queue-persist' }, project), []);
});

const cases: Array<[string, unknown, string]> = [
  ['a missing "use"', { enabled: true }, '"use" must name a built-in plugin, a package or a path'],
  ['an empty "use"', { use: '' }, '"use" must name a built-in plugin, a package or a path'],
  ['a non-boolean "enabled"', { use: 'x', enabled: 'yes' }, '"enabled" must be true or false'],
  ['a non-boolean "required"', { use: 'x', required: 1 }, '"required" must be true or false'],
  ['non-object options', { use: 'x', options: [] }, '"options" must be an object'],
  ['both before and after', { use: 'x', before: 'a', after: 'b' }, 'give "before" or "after", not both'],
  ['a non-string "before"', { use: 'x', before: 3 }, '"before" must name a plugin of the pipeline'],
  ['an unknown key', { use: 'x', x: 1 }, 'unknown key "x"'],
];
for (const [what, entry, message] of cases) {
  test(`${what} is reported`, (t) => {
    t.deepEqual(pipelineEntryViolations(entry, project), [message]);
  });
}

test('the package defaults may not place a plugin', (t) => {
  t.deepEqual(pipelineEntryViolations({ use: 'x', before: 'a' }, defaults), ['unknown key "before"']);
  t.deepEqual(pipelineEntryViolations({ use: 'x', before: 'a', after: 'b', z: 0 }, defaults), ['unknown key "before", "after", "z"']);
});

test('every violation of an entry is listed, each prefixed by where the entry is', (t) => {
  t.deepEqual(pipelineEntryViolations({ use: 'x', enabled: 'yes', options: 1, before: 'a', after: 'b', x: 1 }, { ...project, where: 'plugins[0]' }), [
    'plugins[0]: unknown key "x"',
    'plugins[0]: "enabled" must be true or false',
    'plugins[0]: "options" must be an object',
    'plugins[0]: give "before" or "after", not both',
  ]);
});

test('an entry that is not an object', (t) => {
  t.deepEqual(pipelineEntryViolations('dedupe-guard', { ...project, where: 'plugins[3]' }), ['plugins[3] must be an object']);
  t.deepEqual(pipelineEntryViolations(null, defaults), ['entry must be an object']);
  t.deepEqual(pipelineEntryViolations([], defaults), ['entry must be an object']);
});

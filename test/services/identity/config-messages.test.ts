import test from 'ava';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { machineNodeId } from '../../../services/clock/node-id.js';
import { nameUuid } from '../../../services/identity/name-uuid.js';
import { resolveIdentityAt } from '../../../services/identity/resolve-identity.js';
import { captureLogger, makeProject } from '../../helpers/identity.js';

// Each config.yaml problem: a message naming the file and, where there is one, the line and
// column of the offending node; what happened; and nothing the user wrote lost.

const UUID = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const kittify = (root: string) => join(root, '.kittify');
const configOf = (root: string) => join(kittify(root), 'config.yaml');
const asides = (root: string) => readdirSync(kittify(root)).filter((f) => f.startsWith('config.yaml.corrupt-'));
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function resolveWith(root: string) {
  const { logger, lines } = captureLogger();
  const outcome = await resolveIdentityAt(root, { logger, nodeId: () => machineNodeId() });
  return { outcome, lines };
}

const cases: Array<{ name: string; config: string; at: string; what: string }> = [
  {
    name: 'the top level is a list',
    config: '# ours\n\n- uuid: x\n- slug: y\n',
    at: '3:1', what: 'the top level is a list, not a mapping of keys to values',
  },
  {
    name: 'the top level is a scalar',
    config: '# ours\n  just some text\n',
    at: '2:3', what: 'the top level is the text "just some text", not a mapping of keys to values',
  },
  {
    name: 'project: 5',
    config: '# ours\nsync:\n  auto_start: true\nproject:    5   # five\n',
    at: '4:13', what: '"project" is the number 5, not a mapping of uuid, slug and node_id',
  },
  {
    name: 'a bad uuid',
    config: '# ours\nproject:\n  slug: mine\n  uuid:  not-a-uuid   # typo?\n',
    at: '4:10', what: 'project.uuid "not-a-uuid" is not a uuid',
  },
];

for (const c of cases) {
  test(`${c.name}: file:line:column, kept aside, replaced with the derived uuid`, async (t) => {
    const root = makeProject({ config: c.config });
    const { outcome, lines } = await resolveWith(root);
    const derived = nameUuid(`spec-kitty project path ${root}`);
    t.is(outcome.identity.project_uuid, derived);
    t.true(outcome.identity.persisted);
    t.is(lines.length, 1, lines.join('\n'));
    t.true(lines[0].startsWith(`warning: ${configOf(root)}:${c.at}: ${c.what}; kept `), lines[0]);
    t.regex(lines[0], new RegExp(`${escape(derived)}.*derived from the project's path ${escape(root)}`));
    const kept = asides(root);
    t.is(kept.length, 1);
    t.is(readFileSync(join(kittify(root), kept[0]), 'utf8'), c.config, 'the original, byte for byte');
    t.true(lines[0].includes(join(kittify(root), kept[0])), 'the message names the copy');
    const text = readFileSync(configOf(root), 'utf8');
    t.is(parse(text).project.uuid, derived);
    t.true(text.startsWith('# '), 'a comment header either way');
  });

  test(`${c.name}, read-only: the same message, the file left as it is, the same derived uuid`, async (t) => {
    const root = makeProject({ config: c.config });
    chmodSync(kittify(root), 0o555);
    t.teardown(() => chmodSync(kittify(root), 0o755));
    const { outcome, lines } = await resolveWith(root);
    t.false(outcome.identity.persisted);
    t.is(outcome.identity.project_uuid, nameUuid(`spec-kitty project path ${root}`));
    t.is(lines[0], `warning: ${configOf(root)}:${c.at}: ${c.what}; it is left as it is.`);
    t.regex(lines[1], /^warning: cannot save the project identity: /);
    t.is(readFileSync(configOf(root), 'utf8'), c.config);
    t.deepEqual(readdirSync(kittify(root)), ['config.yaml']);
  });
}

test('project: 5 and a bad uuid are fixed in place: the rest of the file keeps its bytes', async (t) => {
  const five = makeProject({ config: '# ours\nsync:\n  auto_start: true\nproject:    5   # five\nlast: 1' });
  await resolveWith(five);
  const uuid = nameUuid(`spec-kitty project path ${five}`);
  t.is(readFileSync(configOf(five), 'utf8'),
    `# ours\nsync:\n  auto_start: true\nproject:   # five\n  uuid: ${uuid}\n  slug: project\n  node_id: ${machineNodeId()}\nlast: 1`);

  const bad = makeProject({ config: '# ours\r\nproject:\r\n  slug: mine\r\n  uuid:  not-a-uuid   # typo?\r\n' });
  await resolveWith(bad);
  t.is(readFileSync(configOf(bad), 'utf8'),
    `# ours\r\nproject:\r\n  slug: mine\r\n  uuid:  ${nameUuid(`spec-kitty project path ${bad}`)}   # typo?\r\n  node_id: ${machineNodeId()}\r\n`);
});

test('a uuid inside a bad value is recovered rather than replaced', async (t) => {
  const root = makeProject({ config: `project:\n  uuid: "urn:uuid:${UUID.toUpperCase()}"\n` });
  const { outcome, lines } = await resolveWith(root);
  t.is(outcome.identity.project_uuid, UUID);
  t.regex(lines[0], new RegExp(`config\\.yaml:2:9: project\\.uuid "urn:uuid:${UUID.toUpperCase()}" is not a uuid; kept the file as .* and wrote project uuid ${UUID} \\(recovered from it\\)`));
});

test('.kittify/config.yaml is a directory: said with the file and what to do, its contents untouched, the derived uuid used', async (t) => {
  const root = makeProject();
  mkdirSync(configOf(root));
  writeFileSync(join(configOf(root), 'notes.txt'), 'mine');
  const { outcome, lines } = await resolveWith(root);
  t.false(outcome.identity.persisted);
  t.is(outcome.identity.project_uuid, nameUuid(`spec-kitty project path ${root}`));
  t.is(lines.length, 1);
  t.is(lines[0], `warning: cannot save the project identity: ${configOf(root)} is a directory, not a file. ` +
    `Using project uuid ${outcome.identity.project_uuid} (derived from the project's path ${root}: the same on every run and for every user, ` +
    'and the uuid "spec-kitty init" saves) without saving it; move that folder out of the way (nothing in it is changed) and run "spec-kitty init" to save it.');
  t.deepEqual(readdirSync(configOf(root)), ['notes.txt']);
  t.is(readFileSync(join(configOf(root), 'notes.txt'), 'utf8'), 'mine');
  t.deepEqual(readdirSync(kittify(root)), ['config.yaml'], 'no lock, no copy left behind');
});

test('a syntax error: file:line:column and the parser\'s reason', async (t) => {
  const root = makeProject({ config: 'sync:\n  auto_start: true\nproject: {uuid: x\n' });
  const { lines } = await resolveWith(root);
  t.regex(lines[0], new RegExp(`^warning: ${escape(configOf(root))}:\\d+:\\d+: not valid YAML \\(.+\\); kept it as .*config\\.yaml\\.corrupt-.*found no project uuid in it \\(now [0-9a-f-]{36}, derived from the project's path .*\\) and wrote a valid config\\.$`));
});

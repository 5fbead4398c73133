import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { machineNodeId } from '../../../services/clock/node-id.js';
import { nameUuid } from '../../../services/identity/name-uuid.js';
import { resolveIdentityAt } from '../../../services/identity/resolve-identity.js';
import { captureLogger, makeProject } from '../../helpers/identity.js';

const UUID = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const kittify = (root: string) => join(root, '.kittify');
const asideFiles = (root: string) => readdirSync(kittify(root)).filter((f) => f.startsWith('config.yaml.corrupt-'));

async function repairOf(config: string) {
  const root = makeProject({ config });
  const { logger, lines } = captureLogger();
  const outcome = await resolveIdentityAt(root, { logger, nodeId: () => machineNodeId() });
  const aside = asideFiles(root);
  return { root, outcome, lines, aside, text: readFileSync(join(kittify(root), 'config.yaml'), 'utf8') };
}

test('malformed YAML: warning with line and column, bad file kept aside byte for byte, uuid salvaged, valid file written', async (t) => {
  const broken = `project:\n  uuid: ${UUID}\n  slug: [unclosed\nsync:\n  auto_start: : true\n`;
  const { root, outcome, lines, aside, text } = await repairOf(broken);
  t.is(outcome.identity.project_uuid, UUID);
  t.true(outcome.identity.persisted);
  t.is(aside.length, 1);
  t.is(readFileSync(join(kittify(root), aside[0]), 'utf8'), broken);
  t.is(parse(text).project.uuid, UUID);
  t.is(lines.length, 1);
  t.is(lines[0].split('; ')[0], `warning: ${join(kittify(root), 'config.yaml')}:4:1: not valid YAML (Flow sequence in block collection must be sufficiently indented and end with a ])`);
  t.regex(lines[0], /; kept it as .*config\.yaml\.corrupt-.*recovered project uuid 6f1c2a3b.* and wrote a valid config\.$/);
  t.notRegex(lines[0], /\n\s+at /, 'no stack trace');
});

test('a document that is a list, not a mapping, is repaired the same way', async (t) => {
  const { root, outcome, lines, aside, text } = await repairOf(`# ours\n- uuid: ${UUID}\n- slug: x\n`);
  t.is(outcome.identity.project_uuid, UUID);
  t.is(aside.length, 1);
  t.regex(lines[0], new RegExp(`^warning: ${join(kittify(root), 'config.yaml')}:2:1: the top level is a list, not a mapping of keys to values; kept it as `));
  t.is(typeof parse(text).project, 'object');
});

test('a broken file with no recognizable uuid gets a new one; nothing is lost', async (t) => {
  const broken = 'project: {slug: "oops\n';
  const { root, outcome, lines, aside } = await repairOf(broken);
  t.regex(outcome.identity.project_uuid, /^[0-9a-f-]{36}$/);
  t.is(readFileSync(join(kittify(root), aside[0]), 'utf8'), broken);
  t.regex(lines[0], /found no project uuid in it/);
});

test('"project" that is not a mapping: kept aside, replaced, the other keys stay', async (t) => {
  const { root, outcome, aside, lines, text } = await repairOf(`# settings\nproject: my old ${UUID} value\nsync:\n  auto_start: false\n`);
  t.is(aside.length, 1);
  t.is(lines[0], `warning: ${join(kittify(root), 'config.yaml')}:2:10: "project" is the text "my old ${UUID.slice(0, 33)}…", not a mapping of uuid, slug and node_id; ` +
    `kept the file as ${join(kittify(root), aside[0])} and wrote project uuid ${UUID} (recovered from it) in place of that value; the rest of the file is unchanged.`);
  t.is(outcome.identity.project_uuid, UUID);
  t.is(text, `# settings\nproject:\n  uuid: ${UUID}\n  slug: project\n  node_id: ${machineNodeId()}\nsync:\n  auto_start: false\n`);
});

test('a project.uuid that is not a uuid is replaced and the old file kept aside', async (t) => {
  const { root, outcome, aside, lines, text } = await repairOf('project:\n  uuid: 12345   # ours\n  slug: keep-me\n');
  t.is(outcome.identity.project_uuid, nameUuid(`spec-kitty project path ${root}`), 'the derived uuid, as a new identity gets');
  t.is(outcome.identity.project_slug, 'keep-me');
  t.is(aside.length, 1);
  t.regex(lines[0], /config\.yaml:2:9: project\.uuid 12345 is not a uuid; kept the file as .*config\.yaml\.corrupt-\S+ and wrote project uuid [0-9a-f-]{36} \(derived from the project's path /);
  t.is(text, `project:\n  uuid: ${outcome.identity.project_uuid}   # ours\n  slug: keep-me\n  node_id: ${machineNodeId()}\n`);
});

test('the repaired file is read back without another repair', async (t) => {
  const { root, outcome } = await repairOf('project: [\n');
  const again = await resolveIdentityAt(root, captureLogger());
  t.is(again.wrote, null);
  t.is(again.identity.project_uuid, outcome.identity.project_uuid);
  t.is(asideFiles(root).length, 1);
});

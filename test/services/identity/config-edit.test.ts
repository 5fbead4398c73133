import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseDocument } from 'yaml';
import { machineNodeId } from '../../../services/clock/node-id.js';
import { setProjectFields } from '../../../services/identity/config-edit.js';
import { nameUuid } from '../../../services/identity/name-uuid.js';
import { resolveIdentityAt } from '../../../services/identity/resolve-identity.js';
import { captureLogger, makeProject } from '../../helpers/identity.js';

const UUID = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const configOf = (root: string) => join(root, '.kittify', 'config.yaml');

/**
 * The lines `after` adds to `before`, split on "\n" only (so a line keeps its "\r"): fails the
 * test if any line of `before` is missing from `after`, changed, or moved.
 */
function addedLines(t: any, before: string, after: string): string[] {
  const old = before.split('\n');
  const added: string[] = [];
  let j = 0;
  for (const line of after.split('\n')) {
    if (j < old.length && line === old[j]) j++;
    else added.push(line);
  }
  t.is(j, old.length, `every original line is still there, unchanged and in order:\n${after}`);
  return added;
}

async function backfill(config: string) {
  const root = makeProject({ config });
  const { logger, lines } = captureLogger();
  const outcome = await resolveIdentityAt(root, { logger, nodeId: () => machineNodeId() });
  return { root, outcome, lines, text: readFileSync(configOf(root), 'utf8') };
}

test('backfill of a CRLF file with comments, inline comments, odd spacing and quoting adds only the missing lines, in CRLF', async (t) => {
  const original = [
    '# Team settings   (hand-written; keep)',
    '',
    'sync:    # how we sync',
    '    auto_start:     false      # by hand',
    "    hub: 'https://hub.example.com'  ",
    '',
    'project:            # identity',
    `    uuid:   '${UUID}'    # do not touch`,
    '',
    '    # the rest is filled in by spec-kitty',
    'extra:  [ "a",  b ]',
    '',
  ].join('\r\n');
  const { outcome, lines, text } = await backfill(original);
  t.deepEqual(lines, [], 'a backfill says nothing');
  t.is(outcome.wrote, 'updated');
  t.is(outcome.identity.project_uuid, UUID);
  t.deepEqual(addedLines(t, original, text), [
    `    slug: ${outcome.identity.project_slug}\r`,
    `    node_id: ${machineNodeId()}\r`,
  ]);
  t.is(text.split('\n').length - 1, text.split('\r\n').length - 1, 'every line ends in CRLF');
  t.deepEqual(parse(text), {
    sync: { auto_start: false, hub: 'https://hub.example.com' },
    project: { uuid: UUID, slug: outcome.identity.project_slug, node_id: machineNodeId() },
    extra: ['a', 'b'],
  });
});

test('a file without a final newline keeps that; the new lines go before the end', async (t) => {
  const original = `sync: {auto_start: true}\nproject:\n  uuid: "${UUID}" # ours`;
  const { outcome, text } = await backfill(original);
  t.is(text, `${original}\n  slug: ${outcome.identity.project_slug}\n  node_id: ${machineNodeId()}`);
});

test('a missing project block is appended at the end, in the file\'s line endings, final newline or not', async (t) => {
  for (const [original, eol] of [['# ours\r\nsync:\r\n  auto_start: true   # yes\r\n', '\r\n'], ['# ours\nsync:\n  auto_start: true', '\n']] as const) {
    const { root, outcome, text } = await backfill(original);
    const uuid = nameUuid(`spec-kitty project path ${root}`);
    t.is(outcome.identity.project_uuid, uuid);
    const block = ['project:', `  uuid: ${uuid}`, `  slug: project`, `  node_id: ${machineNodeId()}`];
    t.is(text, original.endsWith(eol) ? original + block.map((l) => l + eol).join('') : original + block.map((l) => eol + l).join(''));
  }
});

test('a bad slug or node_id is replaced in place: same quotes, same comment, nothing else changes', async (t) => {
  const original = `project:\n  slug:   "My Project"   # what we call it\n  uuid: ${UUID}\n  node_id: 42  # nope\nafter: 1\n`;
  const { text } = await backfill(original);
  t.is(text, `project:\n  slug:   "my-project"   # what we call it\n  uuid: ${UUID}\n  node_id: ${machineNodeId()}  # nope\nafter: 1\n`);
});

test('an empty key gets its value right after the colon, before its comment', async (t) => {
  const original = `project:\n  uuid: ${UUID}\n  slug:    # fill me\n  node_id:\n`;
  const { outcome, text } = await backfill(original);
  t.is(text, `project:\n  uuid: ${UUID}\n  slug: ${outcome.identity.project_slug}    # fill me\n  node_id: ${machineNodeId()}\n`);
});

test('an empty project: (null or ~) gets the block under its key, keeping the comment on it', async (t) => {
  for (const original of ['a: 1\nproject: ~   # soon\nb: 2\n', 'a: 1\nproject:\nb: 2\n']) {
    const { root, outcome, lines, text } = await backfill(original);
    t.deepEqual(lines, [], 'empty is not a problem');
    const block = `  uuid: ${nameUuid(`spec-kitty project path ${root}`)}\n  slug: ${outcome.identity.project_slug}\n  node_id: ${machineNodeId()}\n`;
    t.is(text, original.includes('~') ? `a: 1\nproject:   # soon\n${block}b: 2\n` : `a: 1\nproject:\n${block}b: 2\n`);
  }
});

test('a flow-style project mapping gets the missing fields inside its braces', async (t) => {
  const original = `x: [1, 2]   # keep\nproject: { uuid: '${UUID}', slug: flowed }   # inline\n`;
  const { text } = await backfill(original);
  t.is(text, `x: [1, 2]   # keep\nproject: { uuid: '${UUID}', slug: flowed, node_id: ${machineNodeId()} }   # inline\n`);
});

test('setProjectFields: a node_id of digits only is quoted so it reads back as text', (t) => {
  const text = 'project:\n';
  const out = setProjectFields(text, parseDocument(text, { keepSourceTokens: true }), { uuid: UUID, slug: 's', node_id: '000000000123' });
  t.is(out, `project:\n  uuid: ${UUID}\n  slug: s\n  node_id: "000000000123"\n`);
  t.is(parse(out).project.node_id, '000000000123');
});

test('a complete file is left byte for byte (no rewrite at all)', async (t) => {
  const original = `project:   # x\r\n  uuid: ${UUID}\r\n  slug: s\r\n  node_id: 0a1b2c3d4e5f`;
  const { outcome, text } = await backfill(original);
  t.is(outcome.wrote, null);
  t.is(text, original);
});

test('setProjectFields on rarer shapes: each reads back with the fields and every other key as it was', (t) => {
  const fields = { uuid: UUID, slug: 'x', node_id: '0a1b2c3d4e5f' };
  const shapes: Array<[string, string | null]> = [
    // [before, exact after when it is a splice; null where only the parsed result is checked]
    ['project: {\n  slug: x,  # c\n}\n', `project: {\n  slug: x, uuid: ${UUID}, node_id: 0a1b2c3d4e5f,  # c\n}\n`],
    ['{a: 1,}', `{a: 1, project: {uuid: ${UUID}, slug: x, node_id: 0a1b2c3d4e5f},}`],
    ['? project\n: 5\nz: 1\n', `? project\n:\n    uuid: ${UUID}\n    slug: x\n    node_id: 0a1b2c3d4e5f\nz: 1\n`],
    ['---\nproject:\n  slug: x\n...\n', `---\nproject:\n  slug: x\n  uuid: ${UUID}\n  node_id: 0a1b2c3d4e5f\n...\n`],
    ['  a: 1\n  project:\n    slug: x\n', `  a: 1\n  project:\n    slug: x\n    uuid: ${UUID}\n    node_id: 0a1b2c3d4e5f\n`],
    ['project: |\n  text\nz: [1]\n', `project:\n  uuid: ${UUID}\n  slug: x\n  node_id: 0a1b2c3d4e5f\nz: [1]\n`],
    // An anchored project used elsewhere: the alias sees the new fields too, as YAML says.
    ['project: &p\n  slug: x\nalias: *p\n', null],
  ];
  for (const [before, after] of shapes) {
    const doc = parseDocument(before, { keepSourceTokens: true });
    const out = setProjectFields(before, doc, fields);
    if (after !== null) t.is(out, after, before);
    const { project, ...rest } = parse(out);
    const old = doc.toJS().project;
    t.deepEqual(project, { ...(typeof old === 'object' && old !== null ? old : {}), ...fields }, before);
    const { project: _, ...was } = doc.toJS();
    if (!('alias' in was)) t.deepEqual(rest, was, before);
    else t.deepEqual(rest.alias, project);
  }
});

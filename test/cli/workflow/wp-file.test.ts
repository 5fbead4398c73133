import test from 'ava';
import { parse } from 'yaml';
import { appendActivity } from '../../../cli/workflow/activity-log.js';
import { parseWpFile, renderNewWp, withLane, WpFileError } from '../../../cli/workflow/wp-file.js';

const parseText = (text: string) => parseWpFile(text, '/p/kitty-specs/001-a/tasks/WP01-x.md', 'kitty-specs/001-a/tasks/WP01-x.md', 'WP01');

// A spec-kitty 0.11 file: quoted values, unknown keys, a history list, comments, CRLF-free.
const LEGACY = `---
work_package_id: "WP01"
subtasks:
  - "T001"   # the model
  - "T002"
title: "Cart model"
phase: "Phase 1 - Foundation"
lane: "planned"  # moved by spec-kitty
assignee: ""
agent: "claude"
shell_pid: ""
dependencies: []
history:
  - timestamp: "2025-11-10T09:00:00Z"
    lane: "planned"
    agent: "system"
    action: "Prompt generated via /spec-kitty.tasks"
---
# Work Package Prompt: WP01 – Cart model

## Objectives
- build it

## Activity Log

- 2025-11-10T09:00:00Z – system – lane=planned – Prompt created.
`;

test('changing the lane changes only the lane value: unknown keys, comments, quotes and order survive', (t) => {
  const wp = parseText(LEGACY);
  t.is(wp.lane, 'planned');
  t.is(wp.title, 'Cart model');
  const out = withLane(wp, 'doing');
  t.is(out, LEGACY.replace('lane: "planned"  # moved', 'lane: "doing"  # moved'));
  const again = parseText(out);
  t.is(again.lane, 'doing');
  // The nested history lane is not the WP's lane and must not be touched.
  t.is((parse(out.split('---')[1]) as { history: Array<{ lane: string }> }).history[0].lane, 'planned');
});

test('plain and single-quoted lanes keep their style', (t) => {
  const plain = parseText('---\nlane: doing\nx: 1\n---\nbody\n');
  t.is(withLane(plain, 'for_review'), '---\nlane: for_review\nx: 1\n---\nbody\n');
  const single = parseText("---\nlane: 'doing'\n---\n");
  t.is(withLane(single, 'planned'), "---\nlane: 'planned'\n---\n");
});

test('a file without a lane counts as planned and gets one added at the end of the frontmatter', (t) => {
  const wp = parseText('---\ntitle: T # keep\n---\nbody\n');
  t.is(wp.lane, 'planned');
  t.is(withLane(wp, 'doing'), '---\ntitle: T # keep\nlane: doing\n---\nbody\n');
});

test('a move plus an activity line keeps the rest of the body', (t) => {
  const wp = parseText(LEGACY);
  const out = appendActivity(withLane(wp, 'doing'), { at: new Date('2025-11-11T10:00:00.123Z'), actor: 'Ada', lane: 'doing', note: 'Started' });
  t.true(out.startsWith(LEGACY.replace('"planned"  #', '"doing"  #').trimEnd()));
  t.true(out.endsWith('- 2025-11-10T09:00:00Z – system – lane=planned – Prompt created.\n- 2025-11-11T10:00:00Z – Ada – lane=doing – Started\n'));
});

test('broken YAML is reported with the file, the line in the file and the column', (t) => {
  const text = '---\ntitle: ok\nlane: [doing\nother: 1\n---\nbody\n';
  const err = t.throws(() => parseText(text), { instanceOf: WpFileError });
  t.regex(err!.message, /^kitty-specs\/001-a\/tasks\/WP01-x\.md:\d+:\d+: invalid YAML frontmatter/);
  const line = Number(/WP01-x\.md:(\d+):/.exec(err!.message)![1]);
  t.true(line >= 3 && line <= 5, `line ${line} points into the frontmatter`);
  t.regex(err!.message, /Fix the file/);
});

test('a bad indentation error names its exact file line', (t) => {
  const text = '---\ntitle: ok\nlane: planned\n  bad: indent\n---\n';
  const err = t.throws(() => parseText(text), { instanceOf: WpFileError });
  t.regex(err!.message, /WP01-x\.md:[34]:\d+: invalid YAML frontmatter: \S/);
  // Positions relative to the frontmatter alone would point at the wrong line.
  t.notRegex(err!.message, /line \d+, column/);
});

test('missing or unterminated frontmatter and unknown lanes are named errors', (t) => {
  t.regex(t.throws(() => parseText('# no frontmatter\n'))!.message, /WP01-x\.md:1: missing YAML frontmatter/);
  t.regex(t.throws(() => parseText('---\nlane: doing\n'))!.message, /WP01-x\.md:1: unterminated YAML frontmatter/);
  t.regex(t.throws(() => parseText('---\ntitle: x\nlane: blocked\n---\n'))!.message, /WP01-x\.md:3:7: lane "blocked" is not one of planned, doing, for_review, done/);
  t.regex(t.throws(() => parseText('---\n- a\n- b\n---\n'))!.message, /must be a mapping/);
  t.regex(t.throws(() => parseText('---\ndependencies: [WP01, nope]\n---\n'))!.message, /WP01-x\.md:2:\d+: dependency "nope"/);
});

test('dependencies are normalized from lists and comma-separated strings', (t) => {
  t.deepEqual(parseText('---\ndependencies: [wp1, "WP02", WP02]\n---\n').dependencies, ['WP01', 'WP02']);
  t.deepEqual(parseText('---\ndependencies: "WP03, WP04"\n---\n').dependencies, ['WP03', 'WP04']);
  t.deepEqual(parseText('---\ndependencies:\n---\n').dependencies, []);
});

test('a new WP file is valid frontmatter that reads back as written, even with YAML-hostile titles', (t) => {
  const title = 'Fix: "quotes" & #hash: colons';
  const text = renderNewWp({ id: 'WP03', title, dependencies: ['WP01', 'WP02'] });
  const wp = parseText(text);
  t.is(wp.title, title);
  t.is(wp.lane, 'planned');
  t.deepEqual(wp.dependencies, ['WP01', 'WP02']);
  t.regex(text, /^---\nwork_package_id: WP03\n/);
  t.regex(text, /dependencies: \[WP01, WP02\]\n---\n/);
});

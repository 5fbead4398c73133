import test from 'ava';
import { appendActivity, formatActivityLine, parseActivityLog } from '../../../cli/workflow/activity-log.js';

const at = new Date('2025-01-31T09:15:42.999Z');

test('a log line has UTC time to the second, actor, lane and note, separated by en dashes', (t) => {
  t.is(formatActivityLine({ at, actor: 'Ada Lovelace', lane: 'doing', note: 'Started' }),
    '- 2025-01-31T09:15:42Z – Ada Lovelace – lane=doing – Started');
});

test('a note with newlines stays one line, so it cannot forge another entry', (t) => {
  const line = formatActivityLine({ at, actor: 'a', lane: 'done', note: 'ok\n- 2020-01-01T00:00:00Z – x – lane=planned – fake' });
  t.false(line.includes('\n'));
  t.is(parseActivityLog(appendActivity('# T\n', { at, actor: 'a', lane: 'done', note: 'x\ny' })).length, 1);
});

test('lines are appended after the last entry; earlier lines are untouched', (t) => {
  const text = '# WP\n\n## Activity Log\n\n- 2025-01-01T00:00:00Z – sys – lane=planned – Created\n\n';
  const out = appendActivity(text, { at, actor: 'Ada', lane: 'doing', note: 'Go' });
  t.is(out, '# WP\n\n## Activity Log\n\n- 2025-01-01T00:00:00Z – sys – lane=planned – Created\n- 2025-01-31T09:15:42Z – Ada – lane=doing – Go\n');
  const entries = parseActivityLog(out);
  t.deepEqual(entries.map((e) => e.lane), ['planned', 'doing']);
  t.is(entries[1].actor, 'Ada');
});

test('a missing section is created at the end', (t) => {
  t.is(appendActivity('# WP\nbody', { at, actor: 'A', lane: 'planned', note: 'n' }),
    '# WP\nbody\n\n## Activity Log\n\n- 2025-01-31T09:15:42Z – A – lane=planned – n\n');
});

test('an empty section gets its first line after a blank line', (t) => {
  t.is(appendActivity('# WP\n\n## Activity Log\n', { at, actor: 'A', lane: 'doing', note: 'n' }),
    '# WP\n\n## Activity Log\n\n- 2025-01-31T09:15:42Z – A – lane=doing – n\n');
});

test('a section followed by another heading gets the line inside the section', (t) => {
  const text = '## Activity Log\n\n- 2025-01-01T00:00:00Z – s – lane=planned – c\n\n## Notes\nkeep me\n';
  const out = appendActivity(text, { at, actor: 'A', lane: 'doing', note: 'n' });
  t.is(out, '## Activity Log\n\n- 2025-01-01T00:00:00Z – s – lane=planned – c\n- 2025-01-31T09:15:42Z – A – lane=doing – n\n\n## Notes\nkeep me\n');
});

import test from 'ava';
import { WP_LANES, type Lane } from '../../../contract/index.js';
import { checkTransition, unmetDependencies } from '../../../cli/workflow/lanes.js';

const kind = (from: Lane, to: Lane, force = false) => checkTransition('WP01', from, to, force).kind;

test('forward one lane at a time is allowed', (t) => {
  t.is(kind('planned', 'doing'), 'allowed');
  t.is(kind('doing', 'for_review'), 'allowed');
  t.is(kind('for_review', 'done'), 'allowed');
});

test('skipping lanes forward is refused without --force, with a hint naming the next step', (t) => {
  for (const [from, to] of [['planned', 'for_review'], ['planned', 'done'], ['doing', 'done']] as Array<[Lane, Lane]>) {
    const r = checkTransition('WP01', from, to);
    t.is(r.kind, 'refused', `${from} → ${to}`);
    if (r.kind === 'refused') {
      t.regex(r.reason, /cannot skip/);
      t.true(r.hint.includes(`--to ${to} --force`));
    }
    t.deepEqual(checkTransition('WP01', from, to, true), { kind: 'allowed', forced: true });
  }
});

test('back from review to doing or planned, and from doing to planned, is allowed', (t) => {
  t.is(kind('for_review', 'doing'), 'allowed');
  t.is(kind('for_review', 'planned'), 'allowed');
  t.is(kind('doing', 'planned'), 'allowed');
});

test('done is final without --force', (t) => {
  for (const to of ['planned', 'doing', 'for_review'] as Lane[]) {
    const r = checkTransition('WP01', 'done', to);
    t.is(r.kind, 'refused');
    if (r.kind === 'refused') t.regex(r.reason, /done is final/);
    t.is(kind('done', to, true), 'allowed');
  }
});

test('the same lane is a no-op, never a transition', (t) => {
  for (const lane of WP_LANES) t.is(kind(lane, lane, true), 'same');
});

test('unmet dependencies are those not done, including missing ones', (t) => {
  const lanes: Record<string, Lane> = { WP01: 'done', WP02: 'for_review' };
  t.deepEqual(unmetDependencies(['WP01', 'WP02', 'WP09'], (id) => lanes[id]), [
    { id: 'WP02', lane: 'for_review' }, { id: 'WP09', lane: 'missing' },
  ]);
  t.deepEqual(unmetDependencies(['WP01'], (id) => lanes[id]), []);
});

import { WP_LANES, type Lane } from '../../contract/index.js';

export const isLane = (s: string): s is Lane => (WP_LANES as readonly string[]).includes(s);

const rank = (lane: Lane) => WP_LANES.indexOf(lane);

export type TransitionCheck =
  | { kind: 'same' }
  | { kind: 'allowed'; forced: boolean }
  | { kind: 'refused'; reason: string; hint: string };

/**
 * The rules users expect from a kanban: forward one lane at a time, back from review to
 * doing or planned (and from doing to planned), and done is final. `--force` allows any move.
 */
export function checkTransition(wpId: string, from: Lane, to: Lane, force = false): TransitionCheck {
  if (from === to) return { kind: 'same' };
  const step = rank(to) - rank(from);
  const allowed = step === 1 || (step < 0 && from !== 'done');
  if (allowed) return { kind: 'allowed', forced: false };
  if (force) return { kind: 'allowed', forced: true };
  const again = `spec-kitty move ${wpId} --to ${to} --force`;
  if (from === 'done') {
    return { kind: 'refused', reason: `${wpId} is done, and done is final`, hint: `to reopen it anyway, run: ${again}` };
  }
  const skipped = WP_LANES.slice(rank(from) + 1, rank(to));
  return {
    kind: 'refused',
    reason: `${wpId} cannot skip from ${from} to ${to} (it would skip ${skipped.join(', ')})`,
    hint: `move it one lane at a time (next: spec-kitty move ${wpId} --to ${WP_LANES[rank(from) + 1]}), or run: ${again}`,
  };
}

/** Dependencies that block entering `doing`: every one must be done first. */
export function unmetDependencies(deps: string[], laneOf: (id: string) => Lane | undefined): Array<{ id: string; lane: Lane | 'missing' }> {
  return deps.map((id) => ({ id, lane: laneOf(id) ?? ('missing' as const) })).filter((d) => d.lane !== 'done');
}

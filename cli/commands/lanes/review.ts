import { UserError } from '../../../core/errors.js';
import type { LaneCommandOptions } from '../lanes.js';
import { moveOne, reportMove } from './shared.js';

export async function review(input: string, opts: LaneCommandOptions): Promise<void> {
  const r = await moveOne('review', input, 'for_review', opts, (wp) => {
    if (wp.lane === 'doing') return;
    const hint = wp.lane === 'planned'
      ? `Start it first: spec-kitty implement ${wp.id}`
      : `Done is final; to send it back to review anyway, run: spec-kitty move ${wp.id} --to for_review --force`;
    throw new UserError(`${wp.id} is in ${wp.lane}, not doing: review hands in work that is in progress.\n${hint}`);
  });
  reportMove(r, opts);
}

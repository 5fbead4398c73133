import type { Lane } from '../../../contract/index.js';
import { UserError } from '../../../core/errors.js';
import { checkTransition } from '../../workflow/lanes.js';
import type { LaneCommandOptions } from '../lanes.js';
import { completeIfLastDone, moveOne, reportMove, requireDependenciesDone } from './shared.js';

export async function move(input: string, opts: LaneCommandOptions & { to: Lane }): Promise<void> {
  const r = await moveOne('move', input, opts.to, opts, (wp, { project, feature }) => {
    const verdict = checkTransition(wp.id, wp.lane, opts.to, opts.force);
    if (verdict.kind === 'refused') throw new UserError(`${verdict.reason}.\n${verdict.hint[0].toUpperCase()}${verdict.hint.slice(1)}`);
    if (wp.lane === 'planned' && opts.to === 'doing' && !opts.force) {
      requireDependenciesDone(wp, project, feature, `spec-kitty move ${wp.id} --to doing`);
    }
  });
  // Moving the last WP to done completes the feature, just as accept would.
  const completion = await completeIfLastDone(r.project, r.feature, r.deps, r.outcome);
  reportMove(r, opts, completion);
}

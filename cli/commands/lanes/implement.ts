import { UserError } from '../../../core/errors.js';
import type { LaneCommandOptions } from '../lanes.js';
import { moveOne, reportMove, requireDependenciesDone } from './shared.js';

export async function implement(input: string, opts: LaneCommandOptions): Promise<void> {
  const r = await moveOne('implement', input, 'doing', opts, (wp, { project, feature }) => {
    if (wp.lane !== 'planned') {
      throw new UserError(`${wp.id} is in ${wp.lane}, not planned: implement starts planned work.\n` +
        (wp.lane === 'done'
          ? `Done is final; to reopen it anyway, run: spec-kitty move ${wp.id} --to doing --force`
          : `To move it back to doing, run: spec-kitty move ${wp.id} --to doing`));
    }
    if (!opts.force) requireDependenciesDone(wp, project, feature, `spec-kitty implement ${wp.id}`);
  });
  reportMove(r, opts);
}

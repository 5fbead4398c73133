import { UserError } from '../../../core/errors.js';
import { TOKENS } from '../../../core/tokens.js';
import { print, printJson } from '../../output.js';
import { cliServices } from '../../runtime.js';

/** `spec-kitty sync retry-dead [--event ID]`: dead events back to pending, to be sent again. */
export async function syncRetryDead(opts: { event?: string; json?: boolean }): Promise<void> {
  const container = await cliServices();
  const count = await container.get(TOKENS.SyncQueue).retryDead(opts.event);
  if (opts.event !== undefined && count === 0) {
    throw new UserError(`no dead event ${opts.event} in the queue: list them with \`spec-kitty sync queue --state dead\``);
  }
  if (opts.json) printJson({ retried: count });
  else print(count === 0 ? 'no dead events' : `${count} dead event${count === 1 ? '' : 's'} back to pending: \`spec-kitty sync now\` sends them`);
}

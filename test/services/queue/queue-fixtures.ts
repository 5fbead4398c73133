import { join } from 'node:path';
import { createLogger } from '../../../lib/logger.js';
import { testQueue } from '../../helpers/services.js';
import { tempDir } from '../../helpers/cli.js';

export { envelope, PROJECT_A, PROJECT_B } from '../../helpers/envelope.js';

/** A queue on a fresh temp home, with everything it logs captured. */
export function openTestQueue(home = join(tempDir('sk-queue-'), 'home')) {
  const log: string[] = [];
  const logger = createLogger({ color: false, write: (l) => log.push(l) });
  const queue = testQueue(home, logger);
  return { queue, home, log };
}

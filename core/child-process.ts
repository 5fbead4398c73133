import type * as ChildProcess from 'node:child_process';
import { createRequire } from 'node:module';

/**
 * node:child_process, loaded on first use: it pulls in net and the stream stack, which a
 * command that never runs git should not pay for at start-up.
 */
export function childProcess(): typeof ChildProcess {
  return createRequire(import.meta.url)('node:child_process') as typeof ChildProcess;
}

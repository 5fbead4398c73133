import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runningDrainer } from './drainer-lock.js';

/** The drainer's log rolls over to `drain.log.1` past this size. */
const MAX_LOG_BYTES = 1024 * 1024;

export const drainerLogPath = (home: string) => join(home, 'logs', 'drain.log');

/**
 * Starts `spec-kitty sync drain` detached, its output appended to `$SPEC_KITTY_HOME/logs/drain.log`,
 * unless one runs already. The command does not wait for it: it exits, and the drainer sends what
 * it left. Returns the new drainer's pid, or null when none was started.
 */
export function startDrainer(home: string, cliEntry: string = process.argv[1]): number | null {
  if (runningDrainer(home) !== null) return null;
  const log = drainerLogPath(home);
  mkdirSync(join(home, 'logs'), { recursive: true, mode: 0o700 });
  if ((statSync(log, { throwIfNoEntry: false })?.size ?? 0) > MAX_LOG_BYTES) renameSync(log, `${log}.1`);
  const fd = openSync(log, 'a', 0o600);
  try {
    const child = spawn(process.execPath, [cliEntry, 'sync', 'drain'], {
      detached: true,
      stdio: ['ignore', fd, fd],
      cwd: home,
      env: { ...process.env, SPEC_KITTY_HOME: home, NO_COLOR: '1' },
    });
    // A failure to start (ENOMEM, EAGAIN) only delays sending: the next command tries again.
    child.on('error', () => {});
    child.unref();
    return child.pid ?? null;
  } finally {
    closeSync(fd);
  }
}

import { closeSync, fchmodSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Replaces `path` in one step (temp file in the same folder, fsync, rename): a reader or a
 * crash sees the old file or the new one, never half of one. Keeps an existing file's mode.
 */
export function writeFileAtomic(path: string, text: string): void {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
  const mode = statSync(path, { throwIfNoEntry: false })?.mode;
  const fd = openSync(temp, 'wx', 0o644);
  try {
    try {
      if (mode !== undefined) fchmodSync(fd, mode & 0o7777);
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
  syncDir(dir);
}

/** Makes the rename itself durable; some platforms cannot fsync a folder, which is fine. */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // best effort
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

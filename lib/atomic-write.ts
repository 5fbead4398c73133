import { closeSync, fchmodSync, fsyncSync, linkSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Replaces `path` in one step (temp file in the same folder, fsync, rename): a reader or a
 * crash sees the old file or the new one, never half of one. Keeps an existing file's mode.
 */
export function writeFileAtomic(path: string, text: string): void {
  const temp = writeTemp(path, text, statSync(path, { throwIfNoEntry: false })?.mode);
  try {
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
  syncDir(dirname(path));
}

/**
 * Creates `path` with its full content, failing with EEXIST if it exists: a hard link
 * never overwrites, so two processes picking the same new name cannot clobber each other.
 */
export function createFileExclusive(path: string, text: string): void {
  const temp = writeTemp(path, text);
  try {
    linkSync(temp, path);
  } finally {
    rmSync(temp, { force: true });
  }
  syncDir(dirname(path));
}

/** A fully written, fsynced temp file beside `path` (same folder, so rename and link stay atomic). */
function writeTemp(path: string, text: string, mode?: number): string {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
  const fd = openSync(temp, 'wx', 0o644);
  try {
    if (mode !== undefined) fchmodSync(fd, mode & 0o7777);
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw err;
  }
  closeSync(fd);
  return temp;
}

/** Makes the rename itself durable; some platforms cannot fsync a folder, which is fine. */
export function syncDir(dir: string): void {
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

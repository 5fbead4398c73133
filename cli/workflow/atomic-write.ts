import { closeSync, fsyncSync, linkSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

function writeTemp(path: string, text: string): string {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  const fd = openSync(temp, 'wx');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return temp;
}

/** Replaces `path` in one step: readers see the old file or the new one, never half of one. */
export function writeFileAtomic(path: string, text: string): void {
  const temp = writeTemp(path, text);
  try {
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
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
}

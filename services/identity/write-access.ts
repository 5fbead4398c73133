import { accessSync, constants, statSync } from 'node:fs';

const DENIED = new Set(['EACCES', 'EPERM', 'EROFS']);

/** True for the errors a read-only checkout gives (permissions, read-only mount, immutable file). */
export const isWriteDenied = (err: unknown): boolean => DENIED.has(String((err as NodeJS.ErrnoException)?.code));

/**
 * Why `path` must not be written, or null. A file or folder without any write bit is treated
 * as read-only even for root (who could write it anyway): the user said "do not touch".
 */
export function readOnlyReason(path: string): string | null {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return null;
  if ((stat.mode & 0o222) === 0) return `${path} is read-only (mode ${(stat.mode & 0o777).toString(8).padStart(3, '0')})`;
  try {
    accessSync(path, constants.W_OK);
    return null;
  } catch (err) {
    return `${path} is not writable (${(err as NodeJS.ErrnoException).code})`;
  }
}

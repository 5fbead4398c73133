import { constants, copyFileSync } from 'node:fs';

/**
 * Copies a file we are about to replace to `<file>.corrupt-<timestamp>` next to it, so
 * nothing the user wrote is lost. A copy, not a rename: until the replacement is written,
 * the original stays where readers look for it.
 */
export function keepAside(file: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:.]/g, '');
  for (const candidate of [`${file}.corrupt-${stamp}`, `${file}.corrupt-${stamp}-${process.pid}`]) {
    try {
      copyFileSync(file, candidate, constants.COPYFILE_EXCL);
      return candidate;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  throw new Error(`cannot keep a copy of ${file}: ${file}.corrupt-${stamp} exists`);
}

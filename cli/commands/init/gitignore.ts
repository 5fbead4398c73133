import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../../lib/atomic-write.js';

/** Local state spec-kitty may leave behind (a crash mid-write) that must never be committed. */
export const GITIGNORE_ENTRIES = ['.kittify/*.lock', '.kittify/*.corrupt-*', '.kittify/.*.tmp', 'kitty-specs/**/.*.tmp', 'kitty-specs/**/*.lock'];
const HEADER = '# spec-kitty local state (locks, kept-aside broken files, temp files)';

/** Adds the entries .gitignore lacks, keeping everything it has; call under the project lock. */
export function ensureGitignore(root: string): 'created' | 'updated' | 'unchanged' {
  const file = join(root, '.gitignore');
  let text: string | null = null;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const present = new Set((text ?? '').split(/\r?\n/).map((line) => line.trim()));
  const missing = GITIGNORE_ENTRIES.filter((entry) => !present.has(entry));
  if (missing.length === 0) return 'unchanged';
  const eol = text?.includes('\r\n') ? '\r\n' : '\n';
  const block = [...(present.has(HEADER) ? [] : [HEADER]), ...missing].join(eol) + eol;
  if (text === null || text.trim() === '') {
    writeFileAtomic(file, block);
    return text === null ? 'created' : 'updated';
  }
  const separator = text.endsWith('\n') ? eol : eol + eol;
  writeFileAtomic(file, text + separator + block);
  return 'updated';
}

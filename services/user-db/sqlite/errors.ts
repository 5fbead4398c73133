const codeOf = (error: unknown): string => {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' ? code : '';
};

/** The file is not a usable SQLite database: its readable rows are salvaged and it is kept aside. */
export function isCorruption(error: unknown): boolean {
  const code = codeOf(error);
  return code.startsWith('SQLITE_NOTADB') || code.startsWith('SQLITE_CORRUPT');
}

export function isBusy(error: unknown): boolean {
  const code = codeOf(error);
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
}

/**
 * SQLite could not open or write a file it was allowed to expect: a permission, ownership or
 * read-only problem (or a folder where the file should be). Never damage: the file is left alone.
 */
export function isAccessProblem(error: unknown): boolean {
  const code = codeOf(error);
  return code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_PERM') || code.startsWith('SQLITE_AUTH');
}

import Database from 'better-sqlite3';

/**
 * Opens (creating, unless `readonly` or `mustExist`) a SQLite file that waits up to `timeoutMs` for another
 * process's lock. `addon` is the driver's native module when the caller has loaded it already
 * (the CLI's launcher finds it faster than the driver's own search); otherwise the driver finds it.
 */
export function openSqlite(path: string, timeoutMs: number, addon?: () => object, options: { readonly?: boolean; mustExist?: boolean } = {}): Database.Database {
  // The driver takes the loaded addon object too; its typings only name the path form.
  return new Database(path, {
    timeout: timeoutMs,
    ...(options.readonly ? { readonly: true, fileMustExist: true } : {}),
    ...(options.mustExist ? { fileMustExist: true } : {}),
    ...(addon ? { nativeBinding: addon() as unknown as string } : {}),
  });
}

export type { Database };

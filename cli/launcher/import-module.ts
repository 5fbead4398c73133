declare const __skImport: ((url: string) => Promise<unknown>) | undefined;

/**
 * Loads an ES module (a third-party plugin) by URL. The shipped CLI runs from a V8 code cache,
 * and Node 20 loses `import()`'s loader for code restored from a cache, so the launcher hands
 * the bundle its own `import` as `__skImport`; from source, plain `import()` does the job.
 */
export function importModule(url: string): Promise<unknown> {
  return typeof __skImport === 'function' ? __skImport(url) : import(url);
}

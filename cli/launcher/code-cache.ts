import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import vm from 'node:vm';

/**
 * Runs a CommonJS bundle from a V8 code cache. Compiling the bundle is most of what a
 * command costs at start-up; with the cache, V8 reuses the bytecode of the last run of the
 * same command instead. A missing, stale or rejected cache only costs a compile and a rewrite.
 *
 * The file holds one function expression, the CommonJS wrapper
 * `(function (exports, require, module, __filename, __dirname, __skImport) {…})`, written by
 * build.mjs: a wrapper added here would make V8 flatten a copy of the whole source, young
 * garbage that brings a GC forward.
 *
 * `key` must change whenever the bundle's content does (the launcher passes a hash of it baked
 * in at build time): V8 accepts cached data for any source of the same length, and npm gives
 * installed files a fixed mtime, so size and mtime cannot tell an upgrade from the old build.
 */
export function requireCached(
  file: string, cacheName: string, key: string, cacheDirs: string[], importModule: (url: string) => Promise<unknown>,
): Record<string, unknown> {
  // The bundle is ASCII (esbuild's default charset, checked by build.mjs): latin1 reads it without UTF-8 decoding.
  const source = readFileSync(file, 'latin1');
  const name = `${cacheName}-${key}-${process.versions.v8}-${process.arch}.v8`;
  let cachedData: Buffer | undefined;
  for (const dir of cacheDirs) {
    try {
      cachedData = readFileSync(join(dir, name));
      break;
    } catch { /* not cached there */ }
  }
  const script = new vm.Script(source, {
    filename: file,
    cachedData,
  });
  const wrapper: unknown = script.runInThisContext();
  if (typeof wrapper !== 'function') throw new Error(`${file} is not a spec-kitty bundle (no CommonJS wrapper); run npm run build`);
  const module = { exports: {} as Record<string, unknown> };
  wrapper(module.exports, createRequire(file), module, file, dirname(file), importModule);
  if (!cachedData || script.cachedDataRejected) {
    // At exit the cache also holds every function this command ran, compiled. Failed runs
    // (a mistyped command, say) are not worth a file.
    process.once('exit', (code) => {
      if (code === 0) saveFirstWritable(cacheDirs, cacheName, name, () => script.createCachedData());
    });
  }
  return module.exports;
}

function saveFirstWritable(dirs: string[], cacheName: string, name: string, data: () => Buffer): void {
  for (const dir of dirs) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const tmp = join(dir, `.${name}.${process.pid}.tmp`);
      writeFileSync(tmp, data());
      renameSync(tmp, join(dir, name));
      // Caches of this command for older builds can never match again.
      for (const old of readdirSync(dir)) {
        if (old !== name && old.startsWith(`${cacheName}-`) && old.endsWith('.v8')) rmSync(join(dir, old), { force: true });
      }
      return;
    } catch { /* read-only install: try the next folder; no cache is only slower */ }
  }
}

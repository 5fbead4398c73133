import { existsSync, readFileSync } from 'node:fs';
import { register } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { findUp } from '../../lib/find-up.js';

declare const __skImport: ((url: string) => Promise<unknown>) | undefined;

/**
 * Loads an ES module (a third-party plugin) by URL. The shipped CLI runs from a V8 code cache,
 * and Node 20 loses `import()`'s loader for code restored from a cache, so the launcher hands
 * the bundle its own `import` as `__skImport`; from source, plain `import()` does the job.
 *
 * A plugin imports `spec-kitty/plugin`. When its project has no spec-kitty installed (the CLI is
 * global, or run with npx), that import is pointed at this CLI's own copy of the API.
 */
export async function importModule(url: string): Promise<unknown> {
  const load = typeof __skImport === 'function' ? __skImport : (u: string) => import(u);
  try {
    return await load(url);
  } catch (error) {
    if (!missesPluginApi(error) || !useOwnPluginApi()) throw error;
    // A new URL: the failed import is cached under the old one.
    return load(`${url}${url.includes('?') ? '&' : '?'}spec-kitty-api`);
  }
}

const missesPluginApi = (error: unknown) => (error as { code?: string })?.code === 'ERR_MODULE_NOT_FOUND'
  && /Cannot find package 'spec-kitty'/.test((error as Error).message);

let registered = false;

/** Resolves `spec-kitty/plugin` to this package's dist/plugin.js for every later import; false if there is none. */
function useOwnPluginApi(): boolean {
  if (registered) return true;
  const root = findUp(dirname(fileURLToPath(import.meta.url)), (dir) => isThisPackage(join(dir, 'package.json')));
  const api = root && join(root, 'dist', 'plugin.js');
  if (!api || !existsSync(api)) return false;
  const hooks = `export async function resolve(specifier, context, next) {
    return specifier === 'spec-kitty/plugin' ? { url: ${JSON.stringify(pathToFileURL(api).href)}, shortCircuit: true } : next(specifier, context);
  }`;
  register(`data:text/javascript,${encodeURIComponent(hooks)}`);
  registered = true;
  return true;
}

function isThisPackage(file: string): boolean {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name === 'spec-kitty';
  } catch {
    return false;
  }
}

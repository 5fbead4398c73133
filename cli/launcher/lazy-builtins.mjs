// An esbuild plugin for the CLI bundle. Some Node built-ins load the stream stack (and more)
// the moment they are required: a noticeable share of a short command (docs/startup.md).
// In the bundle, each listed built-in becomes an object of getters that requires the real
// module on first use, so source code imports them as usual and a command that never hashes,
// spawns or asks for a terminal never pays for it.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** @param {string[]} builtins names without the `node:` prefix */
export function lazyBuiltins(builtins) {
  const filter = new RegExp(`^(node:)?(${builtins.join('|')})$`);
  return {
    name: 'lazy-builtins',
    setup(build) {
      build.onResolve({ filter }, (args) => (args.namespace === 'lazy-builtin'
        ? { path: `node:${args.path.replace(/^node:/, '')}`, external: true }
        : { path: args.path.replace(/^node:/, ''), namespace: 'lazy-builtin' }));
      build.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => {
        // The export names are this Node's; a name missing at run time reads as undefined.
        const names = Object.keys(require(`node:${args.path}`)).filter((k) => k !== 'default');
        return {
          loader: 'js',
          contents: `let real;
const load = () => (real ??= require(${JSON.stringify(`node:${args.path}`)}));
for (const key of ${JSON.stringify(names)}) Object.defineProperty(exports, key, { enumerable: true, get: () => load()[key] });`,
        };
      });
    },
  };
}

// Bundles the CLI into one ESM file so start-up pays for one module load, not hundreds.
import { build } from 'esbuild';
import { chmodSync, readFileSync } from 'node:fs';

const outfile = 'dist/spec-kitty.js';

await build({
  entryPoints: ['cli/main.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Native addons cannot be bundled; they load from node_modules at run time.
  external: ['better-sqlite3'],
  // CommonJS dependencies (tapable) call require(); ESM output has none without this.
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __skCreateRequire } from 'node:module';\nconst require = __skCreateRequire(import.meta.url);",
  },
  define: { __SPEC_KITTY_VERSION__: JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version) },
  splitting: false,
  // Minified to cut parse time at start-up; the linked map restores locations (--enable-source-maps).
  sourcemap: 'linked',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});
chmodSync(outfile, 0o755);

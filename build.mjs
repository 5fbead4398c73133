// Builds the shipped CLI: a small launcher (dist/spec-kitty.cjs) and the CLI bundle it runs
// through a V8 code cache (dist/cli.cjs). One bundle means one file to read and compile at
// start-up, not hundreds of modules; the cache means it is rarely compiled at all.
import { build } from 'esbuild';
import { chmodSync, readFileSync } from 'node:fs';

const version = JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version);
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
};

await build({
  ...common,
  entryPoints: ['cli/run.ts'],
  outfile: 'dist/cli.cjs',
  // CommonJS so V8 can cache its compiled code (vm.Script); import.meta.url is rebuilt from __filename.
  format: 'cjs',
  define: { 'import.meta.url': '__skImportMetaUrl', __SPEC_KITTY_VERSION__: version },
  banner: { js: "var __skImportMetaUrl = require('url').pathToFileURL(__filename).href;" },
  sourcemap: 'linked',
});

await build({
  ...common,
  entryPoints: ['cli/main.ts'],
  outfile: 'dist/spec-kitty.cjs',
  // CommonJS starts faster than an ES module: the launcher is what every command pays first.
  format: 'cjs',
  define: { 'import.meta.url': '__skImportMetaUrl', __SPEC_KITTY_VERSION__: version },
  banner: { js: "#!/usr/bin/env node\nvar __skImportMetaUrl = require('url').pathToFileURL(__filename).href;" },
});
chmodSync('dist/spec-kitty.cjs', 0o755);

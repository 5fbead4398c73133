// Builds the shipped CLI: a small launcher (dist/spec-kitty.cjs) and the CLI bundle it runs
// through a V8 code cache (dist/cli.cjs). One bundle means one file to read and compile at
// start-up, not hundreds of modules; the cache means it is rarely compiled at all.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import ts from 'typescript';
import { lazyBuiltins } from './cli/launcher/lazy-builtins.mjs';

// Code caches of the previous build can never match the new one.
rmSync('dist/.cache', { recursive: true, force: true });

const CLI_WRAPPER_PARAMS = 'exports, require, module, __filename, __dirname, __skImport';
const version = JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version);
const common = {
  bundle: true,
  // Loaded on first use in the bundle: see cli/launcher/lazy-builtins.mjs.
  plugins: [lazyBuiltins(['child_process', 'crypto', 'tty', 'zlib'])],
  platform: 'node',
  target: 'node20',
  // `spec-kitty/plugin` (the built-in plugins' only import of ours) resolves to its source.
  conditions: ['spec-kitty-source'],
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
  // The file is one function expression, the CommonJS wrapper the launcher calls: V8 then compiles
  // the file's text as read, where a wrapper added at run time would cost a copy of the whole source.
  banner: { js: `(function (${CLI_WRAPPER_PARAMS}) {var __skImportMetaUrl = require('url').pathToFileURL(__filename).href;` },
  footer: { js: '})' },
  sourcemap: 'linked',
});

// The launcher reads the bundle as latin1, which equals UTF-8 only for ASCII (esbuild's default
// charset escapes everything else; this guards against a change of that setting).
if (/[^\x00-\x7f]/.test(readFileSync('dist/cli.cjs', 'latin1'))) throw new Error('dist/cli.cjs must be ASCII: the launcher reads it as latin1');

// Keys the launcher's code cache to the bundle's content: V8 only checks the source length, and
// npm installs every file with the same mtime, so an upgrade of equal size would run old bytecode.
const bundleHash = createHash('sha256').update(readFileSync('dist/cli.cjs')).digest('hex').slice(0, 16);

await build({
  ...common,
  entryPoints: ['cli/launcher/main.ts'],
  outfile: 'dist/spec-kitty.cjs',
  // CommonJS starts faster than an ES module: the launcher is what every command pays first.
  format: 'cjs',
  define: {
    'import.meta.url': '__skImportMetaUrl',
    __SPEC_KITTY_VERSION__: version,
    __SPEC_KITTY_BUNDLE_HASH__: JSON.stringify(bundleHash),
  },
  banner: { js: "#!/usr/bin/env node\nvar __skImportMetaUrl = require('url').pathToFileURL(__filename).href;" },
});
chmodSync('dist/spec-kitty.cjs', 0o755);

// The hub, loaded only by `spec-kitty hub …` (cli/commands/hub/load-hub.ts): its own bundle, so
// the CLI's stays small. Its packages (fastify, ws, the SQLite driver) load from node_modules.
await build({
  entryPoints: ['hub/index.ts'],
  outfile: 'dist/hub.cjs',
  bundle: true,
  packages: 'external',
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  // The dashboard's route finds its files beside the bundle (dist/dashboard/) through import.meta.url.
  define: { 'import.meta.url': '__hubImportMetaUrl' },
  banner: { js: "var __hubImportMetaUrl = require('url').pathToFileURL(__filename).href;" },
});
// The dashboard's page: plain files, served as they are (hub/routes/dashboard.ts hashes them).
rmSync('dist/dashboard', { recursive: true, force: true });
cpSync('hub/dashboard', 'dist/dashboard', { recursive: true, filter: (src) => !/\.(ts|md)$/.test(src) });

// The published plugin API (`spec-kitty/plugin`): a small ES module and its type declarations.
await build({
  entryPoints: ['core/plugin-api.ts'],
  outfile: 'dist/plugin.js',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
});
const config = ts.getParsedCommandLineOfConfigFile('tsconfig.json', {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
const emitted = ts.createProgram(['core/plugin-api.ts'], {
  ...config.options, noEmit: false, declaration: true, emitDeclarationOnly: true, customConditions: [], outDir: 'dist/types', rootDir: '.',
}).emit();
if (emitted.emitSkipped) throw new Error('cannot emit the plugin API type declarations');
writeFileSync('dist/plugin.d.ts', "export * from './types/core/plugin-api.js';\n");

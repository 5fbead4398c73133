// Builds the shipped CLI: a small launcher (dist/spec-kitty.cjs) and the CLI bundle it runs
// through a V8 code cache (dist/cli.cjs). One bundle means one file to read and compile at
// start-up, not hundreds of modules; the cache means it is rarely compiled at all.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { chmodSync, readFileSync, rmSync } from 'node:fs';

// Some dependencies load a heavy Node built-in at import time for a path spec-kitty never takes:
// commander loads child_process (and with it net and the stream stack) only to run executable
// subcommands, which spec-kitty has none of; ulid imports node:crypto but uses it only when
// given no random source, and spec-kitty gives it one. Their require gets a stand-in that loads the real module
// on first use. (Our own code loads these lazily through core/lazy-builtins.ts.)
const lazyBuiltins = { commander: 'child_process', ulid: 'crypto' };
const lazyBuiltinsPlugin = {
  name: 'lazy-builtins',
  setup(b) {
    b.onResolve({ filter: /^(node:)?(child_process|crypto)$/ }, (args) => {
      const builtin = args.path.replace(/^node:/, '');
      const lazy = Object.entries(lazyBuiltins).some(([pkg, name]) =>
        name === builtin && new RegExp(`[\\\\/]node_modules[\\\\/]${pkg}[\\\\/]`).test(args.importer));
      return lazy ? { path: builtin, namespace: 'lazy' } : undefined;
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, (args) => ({
      contents: `let m; module.exports = new Proxy({}, { get: (_, key) => (m ??= require('node:${args.path}'))[key] });`,
      loader: 'js',
    }));
  },
};

// Code caches of the previous build can never match the new one.
rmSync('dist/.cache', { recursive: true, force: true });

const CLI_WRAPPER_PARAMS = 'exports, require, module, __filename, __dirname, __skImport';
const version = JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version);
const common = {
  bundle: true,
  plugins: [lazyBuiltinsPlugin],
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
  entryPoints: ['cli/main.ts'],
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

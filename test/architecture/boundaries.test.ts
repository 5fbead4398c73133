import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { REPO_ROOT } from '../helpers/cli.js';

// Which top-level folders each folder may import from (DESIGN §1). `spec-kitty/plugin` is the
// published plugin API; third-party packages and node: built-ins are checked separately.
const ALLOWED: Record<string, readonly string[]> = {
  contract: ['contract'],
  lib: ['lib'],
  core: ['core', 'contract', 'lib'],
  services: ['services', 'core', 'contract', 'lib'],
  plugins: ['plugins', 'contract'],
  cli: ['cli', 'core', 'contract', 'lib', 'services', 'plugins'],
  hub: ['hub', 'contract', 'lib'],
};
const NO_NODE_BUILTINS = new Set(['contract']);

function sourceFiles(dir: string): string[] {
  return readdirSync(join(REPO_ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|mjs|js)$/.test(e.name) && !e.name.endsWith('.d.ts'))
    .map((e) => relative(REPO_ROOT, join(e.parentPath, e.name)));
}

/** Every module specifier of a file: static imports and exports, dynamic import(), require(). */
function specifiers(source: string): string[] {
  // Comments may quote imports (docs); only code counts.
  const text = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found: string[] = [];
  const patterns = [/\b(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g, /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const re of patterns) for (const m of text.matchAll(re)) found.push(m[1]);
  return found;
}

const topOf = (file: string) => file.split(/[\\/]/)[0];

function violations(): string[] {
  const out: string[] = [];
  for (const folder of Object.keys(ALLOWED)) {
    const files = sourceFiles(folder);
    for (const file of files) {
      for (const spec of specifiers(readFileSync(join(REPO_ROOT, file), 'utf8'))) {
        if (spec.startsWith('.')) {
          const target = topOf(relative(REPO_ROOT, resolve(REPO_ROOT, dirname(file), spec)));
          const resolvedPath = relative(REPO_ROOT, resolve(REPO_ROOT, dirname(file), spec));
          // cli/ reaches the hub only through its public entry, and only by the `hub` commands.
          const hubEntry = folder === 'cli' && resolvedPath.replace(/\\/g, '/') === 'hub/index.js';
          if (!ALLOWED[folder].includes(target) && !hubEntry) out.push(`${file} imports ${spec} (${folder}/ may not import ${target}/)`);
          // Services meet through core's tokens, never by importing one another.
          const service = (path: string) => path.split(/[\\/]/).slice(0, 2).join('/');
          const resolved = relative(REPO_ROOT, resolve(REPO_ROOT, dirname(file), spec));
          if (folder === 'services' && target === 'services' && service(resolved) !== service(file)) {
            out.push(`${file} imports ${spec} (a service may not import another service)`);
          }
        } else if (spec.startsWith('spec-kitty')) {
          if (folder !== 'plugins' && folder !== 'cli') out.push(`${file} imports ${spec}`);
          if (spec !== 'spec-kitty/plugin') out.push(`${file} imports ${spec}: only spec-kitty/plugin is published`);
        } else if (spec.startsWith('node:') && NO_NODE_BUILTINS.has(folder)) {
          out.push(`${file} imports ${spec} (${folder}/ runs anywhere: no node: modules)`);
        }
      }
    }
  }
  return out;
}

test('each folder imports only what DESIGN §1 allows it', (t) => {
  t.deepEqual(violations(), []);
});

test('the check sees real imports: every folder it checks has files and imports', (t) => {
  for (const folder of ['contract', 'lib', 'core', 'services', 'plugins', 'cli', 'hub']) {
    const files = sourceFiles(folder);
    t.true(files.length > 0, folder);
    t.true(files.some((f) => specifiers(readFileSync(join(REPO_ROOT, f), 'utf8')).length > 0), folder);
  }
  t.deepEqual(specifiers(`import a from '../x.js';\nexport { b } from "./y.js";\nimport './z.js';\nconst c = await import('../w.js');`),
    ['../x.js', './y.js', './z.js', '../w.js']);
});

test('built-in plugins reach spec-kitty only through the published entry', (t) => {
  const privateImports = sourceFiles('plugins').flatMap((file) => specifiers(readFileSync(join(REPO_ROOT, file), 'utf8'))
    .filter((s) => s.startsWith('.') && !['plugins', 'contract'].includes(topOf(relative(REPO_ROOT, resolve(REPO_ROOT, dirname(file), s)))))
    .map((s) => `${file}: ${s}`));
  t.deepEqual(privateImports, []);
  t.true(sourceFiles('plugins').filter((f) => f.endsWith('index.ts')).every((f) => readFileSync(join(REPO_ROOT, f), 'utf8').includes("from 'spec-kitty/plugin'")));
});

import test from 'ava';
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { generate, ROOT, RUNTIME_IMPORT } from '../../scripts/compile-schemas.js';

const generated = generate();

test('the committed validators are what `npm run schemas` makes now', (t) => {
  t.true(generated.size >= 14);
  for (const [file, text] of generated) {
    let committed: string | null = null;
    try { committed = readFileSync(ROOT + file, 'utf8'); } catch { /* missing */ }
    t.is(committed, text, `${file} is stale: run \`npm run schemas\``);
  }
});

test('the generated validators load nothing at run time', (t) => {
  for (const [file, text] of generated) {
    if (!file.endsWith('.js')) continue;
    t.false(RUNTIME_IMPORT.test(text), file);
    t.false(/\brequire\s*\(|\bimport\b|ajv\/dist/.test(text.replace(/^\/\/.*$/gm, '')), file);
  }
});

test('the runtime entry of contract/ bundles without TypeBox, Ajv or any node: module', async (t) => {
  for (const entry of ['contract/index.ts', 'plugins/dedupe-guard/options.validate.ts', 'plugins/queue-persist/options.validate.ts']) {
    const result = await build({
      entryPoints: [ROOT + entry], bundle: true, write: false, metafile: true, format: 'esm', platform: 'neutral', logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    t.deepEqual(inputs.filter((i) => i.includes('node_modules') || i.startsWith('node:')), [], entry);
    t.false(inputs.some((i) => /contract\/(envelope|sync|pipeline-file|schema-parts)\.ts$/.test(i)), `${entry}: ${inputs.join(', ')}`);
  }
});

/**
 * Compiles the contract's JSON Schemas (TypeBox, in contract/ and plugins/<name>/options.ts)
 * into standalone Ajv validator modules, committed beside their sources with a `.d.ts` each.
 * The CLI imports only these modules: no Ajv and no TypeBox at run time, no compile at start-up.
 *
 *   npm run schemas            regenerate
 *   npm run schemas -- --check exit 1 when a committed file is stale
 *
 * test/contract/generated.test.ts fails when a committed file differs from what this makes.
 */
import { Ajv, type Options } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';
import type { TSchema } from '@sinclair/typebox';
import { readFileSync, writeFileSync } from 'node:fs';
import { posix } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CONTRACT_KEYWORDS } from '../contract/keywords.js';
import { EnvelopeSchema } from '../contract/envelope.js';
import { PipelineEntrySchema, ProjectPipelineEntrySchema } from '../contract/pipeline-file.js';
import * as sync from '../contract/sync.js';
import { BatchSyncOptionsSchema } from '../plugins/batch-sync/options.js';
import { DedupeOptionsSchema } from '../plugins/dedupe-guard/options.js';
import { QueuePersistOptionsSchema } from '../plugins/queue-persist/options.js';
import { NoOptionsSchema as IdentityOptionsSchema } from '../plugins/identity-injection/options.js';
import { NoOptionsSchema as TeamSlugOptionsSchema } from '../plugins/team-slug-auth/options.js';
import { WebsocketTransportOptionsSchema } from '../plugins/websocket-transport/options.js';

// A CommonJS module: its default import is module.exports, whose `default` is the function.
const standaloneCode = standalone.default;

interface Export {
  schema: TSchema;
  /** The type the validator narrows to, and the module (relative to the output) that exports it. */
  type: string;
  from: string;
}

interface Output {
  /** Relative to the repository root; the `.d.ts` goes beside it. */
  file: string;
  source: string;
  exports: Record<string, Export>;
  /** For option schemas: also export the schema's top-level `default`s as `defaults`. */
  defaults?: boolean;
}

/** The module declaring CompiledValidator, as imported from `file`. */
const validatorTypesFrom = (file: string) => {
  const rel = posix.relative(posix.dirname(file), 'contract/validator.js');
  return rel.startsWith('.') ? rel : `./${rel}`;
};

const options = (dir: string, schema: TSchema, type: string): Output => ({
  file: `plugins/${dir}/options.check.js`,
  source: `plugins/${dir}/options.ts`,
  exports: { validate: { schema, type, from: './options.js' } },
  defaults: true,
});

/**
 * What runs in the CLI, its plugins or the dashboard. The hub's request schemas (ingest envelope,
 * batch request, token requests) are compiled by fastify from the TypeBox schemas instead.
 */
export const OUTPUTS: Output[] = [
  {
    file: 'contract/envelope.check.js',
    source: 'contract/envelope.ts',
    exports: {
      validateEnvelope: { schema: EnvelopeSchema, type: 'Envelope', from: './envelope.js' },
    },
  },
  {
    file: 'contract/pipeline-file.check.js',
    source: 'contract/pipeline-file.ts',
    exports: {
      validatePipelineEntry: { schema: PipelineEntrySchema, type: 'PipelineFileEntry', from: './pipeline-file.js' },
      validateProjectPipelineEntry: { schema: ProjectPipelineEntrySchema, type: 'ProjectPipelineFileEntry', from: './pipeline-file.js' },
    },
  },
  {
    file: 'contract/sync.check.js',
    source: 'contract/sync.ts',
    exports: Object.fromEntries(([
      ['validateTokenResponse', sync.TokenResponseSchema, 'TokenResponse'],
      ['validateBatchResponse', sync.BatchResponseSchema, 'BatchResponse'],
      ['validateBadRequestBody', sync.BadRequestBodySchema, 'BadRequestBody'],
      ['validateTooLargeBody', sync.TooLargeBodySchema, 'TooLargeBody'],
      ['validateHealthResponse', sync.HealthResponseSchema, 'HealthResponse'],
      ['validateWsTokenResponse', sync.WsTokenResponseSchema, 'WsTokenResponse'],
      ['validateWsServerMessage', sync.WsServerMessageSchema, 'WsServerMessage'],
    ] as const).map(([name, schema, type]) => [name, { schema, type, from: './sync.js' }])),
  },
  options('dedupe-guard', DedupeOptionsSchema, 'DedupeOptionsInput'),
  options('queue-persist', QueuePersistOptionsSchema, 'QueuePersistOptionsInput'),
  options('identity-injection', IdentityOptionsSchema, 'NoOptions'),
  options('team-slug-auth', TeamSlugOptionsSchema, 'NoOptions'),
  options('batch-sync', BatchSyncOptionsSchema, 'BatchSyncOptionsInput'),
  options('websocket-transport', WebsocketTransportOptionsSchema, 'WebsocketTransportOptionsInput'),
];

export const AJV_OPTIONS: Options = {
  allErrors: true,
  // Errors carry their schema node (for x-must / x-message) and the offending value ("got …").
  verbose: true,
  strict: true,
  // `not: { required: [...] }` names properties declared one level up, which is fine.
  strictRequired: false,
  // String lengths by `.length`: the default counts code points through ajv/dist/runtime/ucs2length,
  // a require() in the generated code. Only minLength 1 is used, where both agree.
  // Ajv 8 marks the option deprecated but still honours it; the warning is dropped below.
  unicode: false,
  logger: {
    log: console.log,
    warn: (...args: unknown[]) => { if (!/DEPRECATED: option unicode/.test(String(args[0]))) console.warn(...args); },
    error: console.error,
  },
  keywords: [...CONTRACT_KEYWORDS],
  code: { source: true, esm: true, lines: true },
};

/** Anything in generated code that would load a module at run time. */
export const RUNTIME_IMPORT = /\brequire\s*\(|^\s*import\b|\bimport\s*\(/m;

function topLevelDefaults(schema: TSchema): Record<string, unknown> {
  const props = (schema.properties ?? {}) as Record<string, { default?: unknown }>;
  return Object.fromEntries(Object.entries(props).filter(([, s]) => s.default !== undefined).map(([k, s]) => [k, s.default]));
}

function header(out: Output): string {
  return `// Generated by scripts/compile-schemas.ts from ${out.source}. Do not edit: run \`npm run schemas\`.\n` +
    '/* eslint-disable */\n';
}

/** Every generated file, path (relative to the repository root) → text. Pure: writes nothing. */
export function generate(): Map<string, string> {
  const files = new Map<string, string>();
  for (const out of OUTPUTS) {
    const ajv = new Ajv(AJV_OPTIONS);
    const refs: Record<string, string> = {};
    for (const [name, { schema }] of Object.entries(out.exports)) {
      ajv.addSchema(schema, name);
      refs[name] = name;
    }
    let code = standaloneCode(ajv, refs);
    if (RUNTIME_IMPORT.test(code)) {
      throw new Error(`${out.file}: the generated validator loads a module at run time; avoid the schema feature that needs it (format, uniqueItems, unicode lengths, …)`);
    }
    if (out.defaults) code += `\nexport const defaults = ${JSON.stringify(topLevelDefaults(Object.values(out.exports)[0].schema))};\n`;
    files.set(out.file, header(out) + code.trimEnd() + '\n');

    const types = new Map<string, Set<string>>();
    for (const e of Object.values(out.exports)) {
      if (!types.has(e.from)) types.set(e.from, new Set());
      types.get(e.from)!.add(e.type);
    }
    const dts = [
      header(out).split('\n')[0],
      `import type { CompiledValidator } from '${validatorTypesFrom(out.file)}';`,
      ...[...types].map(([from, names]) => `import type { ${[...names].sort().join(', ')} } from '${from}';`),
      '',
      ...Object.entries(out.exports).map(([name, e]) => `export declare const ${name}: CompiledValidator<${e.type}>;`),
      ...(out.defaults ? [`export declare const defaults: Required<${Object.values(out.exports)[0].type}>;`] : []),
      '',
    ];
    files.set(out.file.replace(/\.js$/, '.d.ts'), dts.join('\n'));
  }
  return files;
}

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

function main(check: boolean): number {
  let stale = 0;
  for (const [file, text] of generate()) {
    const path = ROOT + file;
    let current: string | null = null;
    try { current = readFileSync(path, 'utf8'); } catch { /* new file */ }
    if (current === text) continue;
    stale += 1;
    if (check) console.error(`stale: ${file}`);
    else { writeFileSync(path, text); console.log(`wrote ${file}`); }
  }
  if (check && stale) console.error('run `npm run schemas` and commit the result');
  return check && stale ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.includes('--check'));
}

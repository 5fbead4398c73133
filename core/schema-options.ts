import { createRequire } from 'node:module';
import { CONTRACT_KEYWORDS, optionsViolations, type CompiledValidator } from '../contract/index.js';

/**
 * A third-party plugin's `validateOptions` from a JSON Schema of its options (defaults included),
 * with the same messages as the built-ins. The schema is compiled by Ajv on the first call, so a
 * plugin that is disabled never loads Ajv. (Built-ins compile theirs ahead of time.)
 */
export function schemaOptions<Options>(schema: object): (raw: Record<string, unknown>) => Options {
  let check: CompiledValidator | undefined;
  return (raw) => {
    check ??= compile(schema);
    const options = structuredClone(raw);
    if (!check(options)) throw new Error(optionsViolations(check, structuredClone(raw)).join('; '));
    return options as Options;
  };
}

function compile(schema: object): CompiledValidator {
  const { default: Ajv } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
  const ajv = new Ajv({ allErrors: true, verbose: true, useDefaults: true, strict: false });
  for (const keyword of CONTRACT_KEYWORDS) ajv.addKeyword({ keyword, schemaType: 'string' });
  return ajv.compile(schema) as unknown as CompiledValidator;
}

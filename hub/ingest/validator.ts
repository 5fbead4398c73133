import { Ajv } from 'ajv';
import {
  CONTRACT_KEYWORDS, describeViolations, type CompiledValidator, type IngestEnvelope,
} from '../../contract/index.js';
import { IngestEnvelopeSchema } from '../../contract/envelope.js';

let compiled: CompiledValidator<IngestEnvelope> | undefined;

/** The contract's ingest schema, compiled once per process (the hub pays Ajv's start-up, the CLI never). */
function validator(): CompiledValidator<IngestEnvelope> {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: false });
    for (const keyword of CONTRACT_KEYWORDS) ajv.addKeyword({ keyword, schemaType: 'string' });
    compiled = ajv.compile(IngestEnvelopeSchema) as unknown as CompiledValidator<IngestEnvelope>;
  }
  return compiled;
}

/** Every violated field of an envelope as received (2.x-compatible), or [] when it is valid. */
export function ingestViolations(value: unknown): string[] {
  const check = validator();
  if (check(value)) return [];
  return describeViolations(check.errors, { root: 'envelope' });
}

/** Checking an envelope at run time: the compiled validator plus readable violations. */
import { validateEnvelope } from './envelope.check.js';
import type { Envelope } from './envelope.js';
import { ENVELOPE_KEYS, WP_STATUS_CHANGED_KEYS } from './keys.js';
import { describeViolations } from './violations.js';

export class ContractError extends Error {
  constructor(readonly violations: string[]) {
    super(`event violates the envelope contract: ${violations.join('; ')}`);
    this.name = 'ContractError';
  }
}

// The envelope's fields in wire order, then unknown keys, then the payload's fields.
const ORDER = [...ENVELOPE_KEYS, '(unknown)', ...WP_STATUS_CHANGED_KEYS.map((k) => `payload.${k}`), '*'];

/** Lists every violated rule, so one run shows everything that is wrong with an event. */
export function envelopeViolations(value: unknown): string[] {
  if (validateEnvelope(value)) return [];
  return describeViolations(validateEnvelope.errors, { root: 'envelope', order: ORDER });
}

export function assertEnvelope(value: unknown): asserts value is Envelope {
  const violations = envelopeViolations(value);
  if (violations.length > 0) throw new ContractError(violations);
}

/**
 * The wire contract at run time: lanes, keys, limits and the compiled validators with readable
 * violations. Imports no TypeBox and no Ajv, so the CLI pays nothing for schemas at start-up.
 * The schemas themselves (TypeBox, for the generator, the hub and types) are in envelope.ts,
 * sync.ts and pipeline-file.ts; the sync validators in sync.check.js, imported where needed.
 */
export { WP_LANES, type Lane } from './lanes.js';
export { ENVELOPE_KEYS, WP_STATUS_CHANGED_KEYS, type EnvelopeKey } from './keys.js';
export * from './limits.js';
export { CONTRACT_KEYWORDS } from './keywords.js';
export { ContractError, envelopeViolations, assertEnvelope } from './check-envelope.js';
export { pipelineEntryViolations, type PipelineEntryCheck } from './check-pipeline-entry.js';
export { optionsViolations, optionsValidator } from './check-options.js';
export { describeViolations, describeSchema, pointerToPath, type ViolationStyle } from './violations.js';
export type { CompiledValidator, ValidationError } from './validator.js';
export type { Envelope, EventDraft, IngestEnvelope, WPStatusChangedPayload } from './envelope.js';
export type { PipelineFile, PipelineFileEntry, ProjectPipelineFile, ProjectPipelineFileEntry } from './pipeline-file.js';
export type * from './sync.js';

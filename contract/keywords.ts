/**
 * Annotation keywords of the contract's schemas. They change no validation result; they only
 * give violations.ts better words. Any Ajv that compiles these schemas must know them, e.g.
 * `new Ajv({ keywords: [...CONTRACT_KEYWORDS] })` or fastify's `ajv.customOptions.keywords`.
 *
 * - `x-must`: what the value must do, printed as `<field> must <x-must>` ("be a 26-char ULID").
 * - `x-message`: the whole message of a rule that belongs to no single field
 *   (e.g. a `not` inside `allOf`): `give "before" or "after", not both`.
 */
export const CONTRACT_KEYWORDS = ['x-must', 'x-message'] as const;

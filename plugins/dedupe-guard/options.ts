/** Options of dedupe-guard; compiled by `npm run schemas` into options.check.js. */
import { Type, type Static } from '@sinclair/typebox';

export const DedupeOptionsSchema = Type.Object({
  /** "command": a repeat within one command run; "window": also a repeat queued within `windowMs`, across runs. */
  scope: Type.Optional(Type.Unsafe<'command' | 'window'>({ type: 'string', enum: ['command', 'window'], default: 'command' })),
  windowMs: Type.Optional(Type.Number({ minimum: 1, default: 60_000 })),
}, {
  additionalProperties: false,
  if: { properties: { scope: { const: 'window' } }, required: ['scope'] },
  else: { not: { required: ['windowMs'] }, 'x-message': 'option "windowMs" applies only with scope "window"' },
});
/** As written in plugins.json. */
export type DedupeOptionsInput = Static<typeof DedupeOptionsSchema>;
/** After defaults. */
export type DedupeOptions = Required<DedupeOptionsInput>;

/** Options of team-slug-auth: it takes none. Compiled by `npm run schemas` into options.check.js. */
import { Type, type Static } from '@sinclair/typebox';

export const NoOptionsSchema = Type.Object({}, { additionalProperties: false });
export type NoOptions = Static<typeof NoOptionsSchema>;

import { Ajv, type ValidateFunction } from 'ajv';
import type { TSchema } from '@sinclair/typebox';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { CONTRACT_KEYWORDS, describeViolations, type ValidationError } from '../../contract/index.js';
import {
  BatchResponseSchema, ErrorBodySchema, HealthResponseSchema, LogoutResponseSchema, ProjectEventsResponseSchema,
  ProjectsResponseSchema, TokenResponseSchema, TooLargeErrorBodySchema, WsTokenResponseSchema,
} from '../../contract/sync.js';
import { WS_PATH } from '../routes/ws.js';

// Responses are held to contract/ as requests are. Each JSON route's answers, by status, are
// checked as they are serialized; one that breaks the contract never leaves the hub: the route
// fails instead, and the error handler answers a 500 in the contract's error shape (and logs
// which field was wrong). The table is here, not in each route, so the hub's whole answer
// contract reads in one place.

const ERRORS = { 413: TooLargeErrorBodySchema, '4xx': ErrorBodySchema, '5xx': ErrorBodySchema };

/** What each route answers, by status; a route's own `schema.response` comes first. */
const RESPONSES: Readonly<Record<string, Record<string, TSchema>>> = {
  'POST /api/v1/token/': { 200: TokenResponseSchema, ...ERRORS },
  'POST /api/v1/token/refresh/': { 200: TokenResponseSchema, ...ERRORS },
  'POST /api/v1/logout/': { 200: LogoutResponseSchema, ...ERRORS },
  'POST /api/v1/ws-token/': { 200: WsTokenResponseSchema, ...ERRORS },
  'POST /api/v1/events/batch/': { 200: BatchResponseSchema, ...ERRORS },
  'GET /api/v1/sync/health/': { 200: HealthResponseSchema, ...ERRORS },
  'GET /api/v1/projects/': { 200: ProjectsResponseSchema, ...ERRORS },
  'GET /api/v1/projects/:uuid/events/': { 200: ProjectEventsResponseSchema, ...ERRORS },
  // Refused before the upgrade (401), or a plain GET (426): error bodies only.
  [`GET ${WS_PATH}`]: ERRORS,
};

/** A body the contract does not allow: a bug of the hub, never the client's. */
export class ResponseContractError extends Error {
  constructor(route: string, status: string, violations: string[]) {
    super(`the ${status} response of ${route} breaks the contract: ${violations.join('; ')}`);
    this.name = 'ResponseContractError';
  }
}

let ajv: Ajv | undefined;

/** One Ajv per process, which compiles each schema object once: every hub built in a process shares them. */
function validator(schema: object): ValidateFunction {
  if (!ajv) {
    // verbose: describeViolations reads each error's schema node (x-must) for its words.
    ajv = new Ajv({ allErrors: true, verbose: true, strict: false });
    for (const keyword of CONTRACT_KEYWORDS) ajv.addKeyword({ keyword, schemaType: 'string' });
  }
  return ajv.compile(schema);
}

/**
 * Installs the table above and the serializer that enforces it: validated, then
 * JSON.stringify (as fast as fastify's default for these bodies, and exact).
 */
export function enforceResponseContract(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const table = typeof route.method === 'string' ? RESPONSES[`${route.method} ${route.url}`] : undefined;
    if (!table) return;
    const own = (route.schema?.response ?? {}) as Record<string, unknown>;
    route.schema = { ...route.schema, response: { ...table, ...own } };
  });
  app.setSerializerCompiler(({ schema, method, url, httpStatus }) => {
    const check = validator(schema);
    return (data: unknown) => {
      if (!check(data)) {
        throw new ResponseContractError(`${method} ${url}`, String(httpStatus), describeViolations(check.errors as ValidationError[], { root: 'body' }));
      }
      return JSON.stringify(data);
    };
  });
}

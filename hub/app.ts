import type { Ajv } from 'ajv';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { CONTRACT_KEYWORDS, MAX_DECOMPRESSED_BYTES_PER_BATCH } from '../contract/index.js';
import { AuthError } from './auth/tokens.js';
import { HubStorageError } from './storage/storage.js';
import type { HubDeps } from './deps.js';
import { HttpError } from './http/errors.js';
import { logRequests } from './http/request-log.js';
import { parseJsonBodies } from './http/json-body.js';
import { enforceResponseContract } from './http/responses.js';
import { BadEncodingError, TooLargeError } from './ingest/decompress.js';
import { authRoutes } from './routes/auth.js';
import { dashboardRoutes, type DashboardOptions } from './routes/dashboard.js';
import { LIMITS, eventRoutes } from './routes/events.js';
import { projectRoutes } from './routes/projects.js';
import { wsRoutes } from './routes/ws.js';
import type { LiveOptions } from './live/fanout.js';

/** The contract's schemas carry message annotations (`x-must`); route validation must know them. */
function contractKeywords(ajv: Ajv): Ajv {
  for (const keyword of CONTRACT_KEYWORDS) ajv.addKeyword({ keyword, schemaType: 'string' });
  return ajv;
}

export interface HubOptions {
  /** One line per request, and the hub's own notices; never a secret. */
  log(line: string): void;
  /** The WebSocket's keep-alive interval and send-buffer cap (hub/live/). */
  live?: LiveOptions;
  /** The dashboard's cookie and files (hub/routes/dashboard.ts). */
  dashboard?: DashboardOptions;
}

// A gzip body may be much smaller than what it holds; what is read off the wire is capped too.
const WIRE_LIMIT = MAX_DECOMPRESSED_BYTES_PER_BATCH + 64 * 1024;

/** The hub's HTTP application: routes on `deps`, not yet listening. */
export async function buildHub(deps: HubDeps, options: HubOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: WIRE_LIMIT,
    // In-flight requests finish on close; idle keep-alive connections do not hold the hub open.
    forceCloseConnections: 'idle',
    ajv: {
      customOptions: { removeAdditional: false, allErrors: true },
      plugins: [contractKeywords],
    },
  });
  logRequests(app, options.log);

  parseJsonBodies(app);
  enforceResponseContract(app);

  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ error: 'not_found', message: `no route for ${request.method} ${request.url.split('?')[0]}` });
  });
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    const { status, body } = describe(error);
    if (status === 503) {
      // Temporary: nothing of the request was applied, and the client sends it all again later.
      options.log(`error: ${error.message}`);
      void reply.header('Retry-After', String(STORAGE_RETRY_AFTER_SECONDS));
    } else if (status >= 500) options.log(`error: ${error.stack ?? error.message}`);
    void reply.code(status).send(body);
  });

  await authRoutes(app, deps);
  await eventRoutes(app, deps);
  // The dashboard's cookie (its name and Secure flag) is read by the read API too.
  await projectRoutes(app, deps, { secure: options.dashboard?.secureCookie ?? true });
  const live = await wsRoutes(app, deps, { ...options.live, log: options.log });
  await dashboardRoutes(app, deps, options.dashboard, live);
  return app;
}

/** How long a client waits before sending again what the storage could not take. */
const STORAGE_RETRY_AFTER_SECONDS = 5;

/** What an error means on the wire: bad input of any kind is a 4xx with a JSON reason; storage down a 503. */
function describe(error: FastifyError): { status: number; body: Record<string, unknown> } {
  if (error instanceof HubStorageError && error.code === 'unavailable') {
    return { status: 503, body: { error: 'unavailable', message: 'the hub cannot store or read events right now; nothing of this request was applied: send it again later', retry_after: STORAGE_RETRY_AFTER_SECONDS } };
  }
  if (error instanceof HttpError) return { status: error.statusCode, body: { error: error.code, message: error.message, ...error.body } };
  if (error instanceof AuthError) return { status: 401, body: { error: error.code, message: error.message } };
  if (error instanceof TooLargeError) return { status: 413, body: { error: 'too_large', message: error.message, limits: LIMITS } };
  if (error instanceof BadEncodingError) return { status: 415, body: { error: 'bad_encoding', message: error.message } };
  if (error.validation) return { status: 400, body: { error: 'bad_request', message: error.message } };
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, body: { error: 'too_large', message: error.message, limits: LIMITS } };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, body: { error: 'unsupported_media_type', message: 'send Content-Type: application/json' } };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, body: { error: 'bad_request', message: error.message } };
    default:
      if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
        return { status: error.statusCode, body: { error: 'bad_request', message: error.message } };
      }
      return { status: 500, body: { error: 'internal', message: 'the hub failed; the request was not applied' } };
  }
}

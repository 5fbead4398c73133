import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MAX_DECOMPRESSED_BYTES_PER_BATCH } from '../../contract/index.js';
import { decodeBody } from '../ingest/decompress.js';
import { HttpError } from './errors.js';

/** The text each request's body was parsed from: a route may reuse parts of it (hub/ingest/event-texts.ts). */
const texts = new WeakMap<FastifyRequest, string>();

export const bodyText = (request: FastifyRequest): string | undefined => texts.get(request);

/**
 * JSON bodies, gzip or plain: decompressed with a cap, so a gzip bomb is refused mid-way.
 * JSON only: any other content type is a 415, not a string handed to a route.
 */
export function parseJsonBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, async (request: FastifyRequest, body: Buffer) => {
    const text = (await decodeBody(body, request.headers['content-encoding'], MAX_DECOMPRESSED_BYTES_PER_BATCH)).toString('utf8');
    if (text.trim() === '') return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new HttpError(400, 'bad_json', `the body is not valid JSON: ${(error as Error).message}`);
    }
    texts.set(request, text);
    return parsed;
  });
}

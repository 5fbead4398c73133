import type { FastifyInstance } from 'fastify';
import { MAX_DECOMPRESSED_BYTES_PER_BATCH, MAX_EVENT_BYTES, MAX_EVENTS_PER_BATCH } from '../../contract/index.js';
import { bearerToken } from '../http/bearer.js';
import { HttpError } from '../http/errors.js';
import { bodyText } from '../http/json-body.js';
import { eventTexts } from '../ingest/event-texts.js';
import { ingestEvents } from '../ingest/ingest.js';
import type { HubDeps } from '../deps.js';

export const LIMITS = {
  max_events_per_batch: MAX_EVENTS_PER_BATCH,
  max_decompressed_bytes_per_batch: MAX_DECOMPRESSED_BYTES_PER_BATCH,
  max_event_bytes: MAX_EVENT_BYTES,
};

const tooLarge = (message: string) => new HttpError(413, 'too_large', message, { limits: LIMITS });

/** The events batch (ingest) and sync health (DESIGN §6). */
export async function eventRoutes(app: FastifyInstance, { storage, tokens, now }: HubDeps): Promise<void> {
  app.get('/api/v1/sync/health/', async () => ({
    status: 'ok',
    sync_ingress: { limits: { max_events_per_batch: MAX_EVENTS_PER_BATCH, max_decompressed_bytes_per_batch: MAX_DECOMPRESSED_BYTES_PER_BATCH } },
  }));

  app.post('/api/v1/events/batch/', async (request) => {
    const { team } = await tokens.authenticate(bearerToken(request));
    const body = request.body as { events?: unknown } | undefined;
    if (typeof body !== 'object' || body === null || Array.isArray(body) || !Array.isArray(body.events)) {
      throw new HttpError(400, 'bad_request', 'the body must be a JSON object {"events": [...]}');
    }
    if (body.events.length > MAX_EVENTS_PER_BATCH) {
      throw tooLarge(`the batch holds ${body.events.length} events; at most ${MAX_EVENTS_PER_BATCH} are accepted`);
    }
    const text = bodyText(request);
    return { results: await ingestEvents(storage, team, body.events, now(), text === undefined ? null : eventTexts(text, body.events.length)) };
  });
}

export { tooLarge };

import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { callerOf, type CookieOptions } from '../auth/session-cookie.js';
import type { HubDeps } from '../deps.js';

const EventsQuerySchema = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  before: Type.Optional(Type.Integer({ minimum: 1 })),
});
type EventsQuery = Static<typeof EventsQuerySchema>;
const ParamsSchema = Type.Object({ uuid: Type.String({ minLength: 1, maxLength: 64 }) });

/** The read API for the dashboard and tools: the caller's team only (a bearer token, or the dashboard's session cookie). */
export async function projectRoutes(app: FastifyInstance, deps: HubDeps, cookies: CookieOptions = { secure: true }): Promise<void> {
  const { storage } = deps;
  app.get('/api/v1/projects/', async (request) => {
    const { team } = await callerOf(request, deps, cookies);
    return { team_slug: team.slug, projects: await storage.projects(team.id) };
  });

  app.get<{ Params: Static<typeof ParamsSchema>; Querystring: EventsQuery }>('/api/v1/projects/:uuid/events/', {
    schema: { params: ParamsSchema, querystring: EventsQuerySchema },
  }, async (request) => {
    const { team } = await callerOf(request, deps, cookies);
    const { limit = 50, before } = request.query;
    const events = await storage.events(team.id, request.params.uuid.toLowerCase(), { limit, before });
    return {
      events: events.map((e) => ({ seq: e.seq, received_at: new Date(e.receivedAt).toISOString(), envelope: e.envelope })),
      next_before: events.length === limit ? events[events.length - 1].seq : null,
    };
  });
}

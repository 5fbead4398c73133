import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RefreshRequestSchema, TokenRequestSchema, type RefreshRequest, type TokenRequest } from '../../contract/sync.js';
import { checkLogin } from '../auth/login.js';
import { bearerToken } from '../http/bearer.js';
import type { HubDeps } from '../deps.js';

/** Login, refresh, logout and ws-token (DESIGN §6). */
export async function authRoutes(app: FastifyInstance, { storage, tokens, limiters }: HubDeps): Promise<void> {
  app.post<{ Body: TokenRequest }>('/api/v1/token/', { schema: { body: TokenRequestSchema } }, async (request: FastifyRequest<{ Body: TokenRequest }>, reply) => {
    const { username, password } = request.body;
    const user = await checkLogin({ storage, limiters }, username, password, request.ip, (seconds) => { void reply.header('Retry-After', String(seconds)); });
    return tokens.login(user);
  });

  app.post<{ Body: RefreshRequest }>('/api/v1/token/refresh/', { schema: { body: RefreshRequestSchema } }, async (request) =>
    tokens.refresh(request.body.refresh));

  app.post('/api/v1/logout/', async (request, reply) => {
    const refresh = (request.body as { refresh?: unknown } | undefined)?.refresh;
    await tokens.logout(bearerToken(request), typeof refresh === 'string' ? refresh : undefined);
    return reply.code(200).send({ status: 'logged_out' });
  });

  app.post('/api/v1/ws-token/', async (request) => {
    const { user } = await tokens.authenticate(bearerToken(request));
    return tokens.issueWsToken(user);
  });
}

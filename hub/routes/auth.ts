import type { FastifyInstance, FastifyRequest } from 'fastify';
import { RefreshRequestSchema, TokenRequestSchema, type RefreshRequest, type TokenRequest } from '../../contract/sync.js';
import { verifyNoUser, verifyPassword } from '../auth/passwords.js';
import { bearerToken } from '../http/bearer.js';
import { HttpError } from '../http/errors.js';
import type { HubDeps } from '../deps.js';

const tooMany = (retryAfterSeconds: number) =>
  new HttpError(429, 'rate_limited', `too many failed logins; try again in ${retryAfterSeconds} s`, { retry_after: retryAfterSeconds });

/** Login, refresh, logout and ws-token (DESIGN §6). */
export async function authRoutes(app: FastifyInstance, { storage, tokens, limiters }: HubDeps): Promise<void> {
  app.post<{ Body: TokenRequest }>('/api/v1/token/', { schema: { body: TokenRequestSchema } }, async (request: FastifyRequest<{ Body: TokenRequest }>, reply) => {
    const { username, password } = request.body;
    // Failures are counted per user and per address: guessing at one account, or at many from one place.
    const counted = [[limiters.user, username], [limiters.address, request.ip]] as const;
    for (const [limiter, key] of counted) {
      const verdict = limiter.check(key);
      if (!verdict.allowed) {
        void reply.header('Retry-After', String(verdict.retryAfterSeconds));
        throw tooMany(verdict.retryAfterSeconds);
      }
    }
    // Counted as a failure before the (slow) hash: guesses sent at once cannot all pass the check.
    for (const [limiter, key] of counted) limiter.fail(key);
    let user;
    let ok: boolean;
    try {
      user = await storage.findUser(username);
      // A missing user costs a hash too, so timing does not tell which names exist.
      ok = user ? await verifyPassword(password, user.passwordHash) : await verifyNoUser(password);
    } catch (error) {
      // Not a wrong password (the database is down, say): no one is to be locked out for it.
      for (const [limiter, key] of counted) limiter.forgive(key);
      throw error;
    }
    if (!user || !ok) throw new HttpError(401, 'invalid_credentials', 'wrong username or password');
    // The right password clears its user's count, and takes back only its own attempt from the
    // address: logging in to one account must not reset guessing at others.
    limiters.user.succeed(username);
    limiters.address.forgive(request.ip);
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

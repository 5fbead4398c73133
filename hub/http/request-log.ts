import type { FastifyInstance } from 'fastify';

/**
 * One line per request: method, path, status, time. Never a header, a body or a query string:
 * tokens and passwords travel there, and a log must hold no secret.
 */
export function logRequests(app: FastifyInstance, write: (line: string) => void): void {
  app.addHook('onResponse', async (request, reply) => {
    const path = request.url.split('?')[0];
    write(`${request.method} ${path} ${reply.statusCode} ${reply.elapsedTime.toFixed(1)}ms`);
  });
}

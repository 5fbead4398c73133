import type { FastifyRequest } from 'fastify';
import { unauthorized } from './errors.js';

/** The token of an `Authorization: Bearer <token>` header; 401 without one. */
export function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match) throw unauthorized();
  return match[1];
}

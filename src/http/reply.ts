// The one place OAuth errors and token responses are written.
import type { FastifyReply } from 'fastify';
import type { OAuthError } from '../core/errors.js';

/** RFC 6749 §5.1: token responses and anything carrying tokens are not cached. */
export function noStore(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
}

/** RFC 6749 §5.2 error body with the error's headers (WWW-Authenticate, Allow). */
export function sendOAuthError(reply: FastifyReply, err: OAuthError): FastifyReply {
  noStore(reply).status(err.status);
  for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
  return reply.type('application/json').send({ error: err.code, error_description: err.description });
}

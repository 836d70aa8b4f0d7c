// Registering an endpoint for its one method, with 405 + Allow for the others.
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { ErrorFormatter } from '../errors.js';
import { methodNotAllowed } from '../errors.js';

type Handler = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

const OTHERS: Record<'GET' | 'POST', HTTPMethods[]> = {
  POST: ['GET', 'PUT', 'DELETE', 'PATCH'],
  GET: ['POST', 'PUT', 'DELETE', 'PATCH'],
};

export function route(
  app: FastifyInstance,
  method: 'GET' | 'POST',
  url: string,
  handler: Handler,
  formatError?: ErrorFormatter,
): void {
  const config: { formatError?: ErrorFormatter } = formatError ? { formatError } : {};
  app.route({ method, url, handler, config });
  const allow = method === 'GET' ? 'GET, HEAD' : 'POST';
  app.route({
    method: OTHERS[method], url, config,
    handler: async () => { throw methodNotAllowed(allow); },
  });
}

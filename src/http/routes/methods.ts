// Registering an endpoint for its methods, with 405 + Allow for the others.
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { ErrorFormatter } from '../errors.js';
import { methodNotAllowed } from '../errors.js';

export type Handler = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
export type Method = 'GET' | 'POST';

const ALL: HTTPMethods[] = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'];

export function route(
  app: FastifyInstance,
  method: Method | readonly Method[],
  url: string,
  handler: Handler,
  formatError?: ErrorFormatter,
): void {
  const methods: Method[] = typeof method === 'string' ? [method] : [...method];
  const config: { formatError?: ErrorFormatter } = formatError ? { formatError } : {};
  app.route({ method: methods, url, handler, config });
  // RFC 9110 §9.3.2: a GET endpoint answers HEAD too (Fastify adds it).
  const allow = methods.flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m])).join(', ');
  app.route({
    method: ALL.filter((m) => !methods.includes(m as Method)), url, config,
    handler: async () => { throw methodNotAllowed(allow); },
  });
}

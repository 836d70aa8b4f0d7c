// Registering an endpoint for its methods, with 405 + Allow for the others.
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { ErrorFormatter } from '../errors.js';
import { methodNotAllowed } from '../errors.js';

export type Handler = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RouteSettings {
  /** A dialect's error body (http/errors.ts). */
  formatError?: ErrorFormatter | undefined;
  /** A token or token-validation endpoint: behind the per-address rate limit (http/rate-limit.ts). */
  rateLimited?: boolean;
}

const ALL: HTTPMethods[] = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'];

export function route(
  app: FastifyInstance,
  method: Method | readonly Method[],
  url: string,
  handler: Handler,
  settings: RouteSettings = {},
): void {
  const methods: Method[] = typeof method === 'string' ? [method] : [...method];
  const config: { formatError?: ErrorFormatter; rateLimited?: boolean } = {};
  if (settings.formatError) config.formatError = settings.formatError;
  if (settings.rateLimited) config.rateLimited = true;
  app.route({ method: methods, url, handler, config });
  // RFC 9110 §9.3.2: a GET endpoint answers HEAD too (Fastify adds it).
  const allow = methods.flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m])).join(', ');
  app.route({
    method: ALL.filter((m) => !methods.includes(m as Method)), url, config,
    handler: async () => { throw methodNotAllowed(allow); },
  });
}

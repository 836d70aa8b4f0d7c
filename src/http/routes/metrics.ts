// GET /metrics in the Prometheus text format.
import type { FastifyInstance } from 'fastify';
import type { Tessera } from '../../runtime.js';
import { route } from './methods.js';

export function metricsRoute(app: FastifyInstance, t: Tessera): void {
  route(app, 'GET', '/metrics', async (_req, reply) =>
    reply.type(t.metrics.registry.contentType).send(await t.metrics.registry.metrics()));
}

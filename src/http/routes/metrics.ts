// GET /metrics in the Prometheus text format.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { clusterMetrics, isWorker } from '../../cluster.js';
import type { Tessera } from '../../runtime.js';
import { route } from './methods.js';

/** Under `workers`, every worker's counters, summed by the primary. Also the admin listener's. */
export const metricsHandler = (t: Tessera) => async (_req: FastifyRequest, reply: FastifyReply) =>
  reply.type(t.metrics.registry.contentType).send(isWorker() ? await clusterMetrics() : await t.metrics.registry.metrics());

export function metricsRoute(app: FastifyInstance, t: Tessera): void {
  route(app, 'GET', '/metrics', metricsHandler(t));
}

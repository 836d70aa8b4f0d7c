// GET /metrics in the Prometheus text format.
import type { FastifyInstance } from 'fastify';
import { clusterMetrics, isWorker } from '../../cluster.js';
import type { Tessera } from '../../runtime.js';
import { route } from './methods.js';

export function metricsRoute(app: FastifyInstance, t: Tessera): void {
  // Under `workers`, every worker's counters, summed by the primary.
  route(app, 'GET', '/metrics', async (_req, reply) =>
    reply.type(t.metrics.registry.contentType).send(isWorker() ? await clusterMetrics() : await t.metrics.registry.metrics()));
}

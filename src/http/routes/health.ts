// Liveness (the process answers) and readiness (the store answers).
import type { FastifyInstance } from 'fastify';
import type { Tessera } from '../../runtime.js';
import { route } from './methods.js';

export function healthRoutes(app: FastifyInstance, t: Tessera): void {
  route(app, 'GET', '/healthz', async (_req, reply) => reply.send({ status: 'ok' }));
  route(app, 'GET', '/readyz', async (req, reply) => {
    try {
      await t.store.ping();
      return reply.send({ status: 'ready', store: t.store.kind });
    } catch (e) {
      req.log.warn({ err: (e as Error).message }, 'store not reachable');
      return reply.status(503).send({ status: 'unavailable', store: t.store.kind });
    }
  });
}

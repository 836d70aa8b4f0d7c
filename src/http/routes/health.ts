// Liveness (the process answers) and readiness (the store answers). Readiness also says
// where throttling counters are kept: Redis being down does not make Tessera unready (it
// limits in-process meanwhile), but the detail says so.
import type { FastifyInstance } from 'fastify';
import type { Tessera } from '../../runtime.js';
import { route } from './methods.js';

export function healthRoutes(app: FastifyInstance, t: Tessera): void {
  route(app, 'GET', '/healthz', async (_req, reply) => reply.send({ status: 'ok' }));
  route(app, 'GET', '/readyz', async (req, reply) => {
    const limits = t.limits.status();
    const detail = { store: t.store.kind, limits: limits.backend, ...(limits.degraded ? { limits_degraded: limits.degraded } : {}) };
    try {
      await t.store.ping();
      return reply.send({ status: 'ready', ...detail });
    } catch (e) {
      req.log.warn({ err: (e as Error).message }, 'store not reachable');
      return reply.status(503).send({ status: 'unavailable', ...detail });
    }
  });
}

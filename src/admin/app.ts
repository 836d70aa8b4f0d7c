// The admin API's Fastify app, on its own listener (admin_host:admin_port), built apart from
// listen() like the public app (http/app.ts). Every route declares its JSON schema; the
// OpenAPI document at /admin/openapi.json is generated from them (openapi.ts).
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { TrustedProxies } from '../http/client-ip.js';
import { createHttpServer } from '../http/connections.js';
import { clientAddressHooks } from '../http/rate-limit.js';
import { metricsHandler } from '../http/routes/metrics.js';
import type { Tessera } from '../runtime.js';
import { authenticate } from './auth.js';
import { OpenApiCollector } from './openapi.js';
import { Problem, sendProblem } from './problem.js';
import { consoleRoutes } from './console/index.js';
import { auditRoutes } from './routes/audit.js';
import { clientRoutes } from './routes/clients.js';
import { keyRoutes } from './routes/keys.js';
import { participantRoutes } from './routes/participants.js';
import { userRoutes } from './routes/users.js';
import { SHARED_SCHEMAS } from './schemas.js';

export const ADMIN_BODY_LIMIT = 64 * 1024;

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

declare module 'fastify' {
  interface FastifyInstance {
    /** The routes seen and the document made of them. */
    openapi: OpenApiCollector;
  }
}

export async function buildAdminApp(t: Tessera, opts: { https?: { cert: Buffer; key: Buffer } } = {}): Promise<FastifyInstance> {
  const proxies = new TrustedProxies(t.config.trusted_proxies);
  const app = Fastify({
    loggerInstance: t.log,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: ADMIN_BODY_LIMIT,
    serverFactory: (handler) => createHttpServer(handler, t.config, proxies, opts.https),
    genReqId: (req) => {
      const h = req.headers['x-request-id'];
      return typeof h === 'string' && /^[\w.-]{1,64}$/.test(h) ? h : randomUUID();
    },
    return503OnClosing: true,
    // Unknown fields are refused (not silently dropped); every bad field is reported.
    ajv: { customOptions: { removeAdditional: false, allErrors: true, coerceTypes: 'array', useDefaults: true } },
  }) as unknown as FastifyInstance;

  const collector = new OpenApiCollector(SHARED_SCHEMAS);
  app.decorate('openapi', collector);
  app.addHook('onRoute', collector.onRoute);
  for (const s of SHARED_SCHEMAS) app.addSchema(s);

  app.decorateRequest('actor', null);
  app.addHook('onRequest', async (req, reply) => { reply.header('x-request-id', req.id); });
  // The client's address, and the per-address bucket for every admin route (a guessed token costs one).
  clientAddressHooks(app, t, proxies);
  app.addHook('onRequest', async (req) => {
    if (req.is404 || req.routeOptions.config?.adminAuth === false) return;
    await t.rateLimits.admitAddress(req.clientIp);
    req.actor = await authenticate(t, req);
  });
  app.addHook('onResponse', async (req, reply) => {
    t.metrics.latency.observe({ method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    req.log.info({ method: req.method, path: req.url.split('?')[0], ip: req.clientIp, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 100) / 100, listener: 'admin', actor: req.actor?.client_id }, 'request');
  });
  app.setErrorHandler((err, req, reply) => sendProblem(req, reply, err));
  app.setNotFoundHandler((req, reply) => sendProblem(req, reply, new Problem('not-found', `no endpoint at ${req.method} ${req.url.split('?')[0]!.slice(0, 100)}`)));

  clientRoutes(app, t);
  userRoutes(app, t);
  participantRoutes(app, t);
  keyRoutes(app, t);
  auditRoutes(app, t);
  consoleRoutes(app, t, { secure: opts.https !== undefined || t.config.admin_url?.startsWith('https:') === true });
  app.get('/admin/openapi.json', {
    config: { adminAuth: false, operationId: 'getOpenApiDocument', summary: 'This document (OpenAPI 3.1)', tag: 'meta' },
    schema: { response: { 200: { type: 'object', additionalProperties: true } } },
  }, async () => collector.document(version));
  if (t.config.metrics_listener === 'admin') {
    app.get('/metrics', { config: { adminAuth: false } }, metricsHandler(t));
  }
  return app;
}

// The HTTP app factory, separate from listen(): tests call app.inject() or listen on port 0.
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { OAuthError } from '../core/errors.js';
import { enabledDialects, type Dialect } from '../dialects/index.js';
import type { Tessera } from '../runtime.js';
import { bodyParams, parseForm, parseJson, rejectNulParams, rejectQueryBodyRepeats } from './body.js';
import { TrustedProxies } from './client-ip.js';
import { createHttpServer } from './connections.js';
import { handleError } from './errors.js';
import { clientAddressHooks } from './rate-limit.js';
import { accountRoutes } from './routes/account.js';
import { authorizeRoutes } from './routes/authorize.js';
import { healthRoutes } from './routes/health.js';
import { introspectionRoute } from './routes/introspection.js';
import { logoutRoutes } from './routes/logout.js';
import { metricsRoute } from './routes/metrics.js';
import { route } from './routes/methods.js';
import { registrationRoutes } from './routes/register.js';
import { revocationRoute } from './routes/revocation.js';
import { tokenRoute, type TokenBodyShaper } from './routes/token.js';
import { userinfoRoute } from './routes/userinfo.js';
import { wellKnownRoutes } from './routes/well-known.js';

export const BODY_LIMIT = 64 * 1024;

export interface AppOptions {
  https?: { cert: Buffer; key: Buffer };
  /** The dialects to mount; default: those the config enables. */
  dialects?: readonly Dialect[];
}

/** A dialect's routes, each with the dialect's error body. */
function mountDialect(app: FastifyInstance, t: Tessera, d: Dialect): void {
  // Every dialect route issues or checks tokens: all are rate limited.
  for (const r of d.routes) route(app, r.method, r.url, (req, reply) => r.handler(t, req, reply), { formatError: d.formatError, rateLimited: true });
}

export async function buildApp(t: Tessera, opts: AppOptions = {}): Promise<FastifyInstance> {
  const proxies = new TrustedProxies(t.config.trusted_proxies);
  const options: FastifyServerOptions = {
    loggerInstance: t.log,
    // Our own one-line-per-request log (onResponse) replaces Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    // Timeouts and connection caps (and HTTPS) are set on the server itself.
    serverFactory: (handler) => createHttpServer(handler, t.config, proxies, opts.https),
    // A client-chosen request id is kept when it is short and plain; otherwise one is made.
    genReqId: (req) => {
      const h = req.headers['x-request-id'];
      return typeof h === 'string' && /^[\w.-]{1,64}$/.test(h) ? h : randomUUID();
    },
    // A request that reaches a connection opened before SIGTERM is served, not refused: the
    // client sent it while the server was up, and a 503 to a token request means a retry.
    // New connections are no longer accepted, idle ones are closed (server.ts), and the
    // stop deadline still holds.
    return503OnClosing: false,
  };
  const app = Fastify(options) as unknown as FastifyInstance;

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (_req, body, done) => {
    try { done(null, parseForm(body as Buffer)); } catch (e) { done(e as Error, undefined); }
  });
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => {
    try { done(null, parseJson(body as Buffer)); } catch (e) { done(e as Error, undefined); }
  });

  app.addHook('onRequest', async (req, reply) => { reply.header('x-request-id', req.id); });
  clientAddressHooks(app, t, proxies);
  // Every route that reads a body, standard or dialect, after the body is parsed.
  app.addHook('preHandler', async (req) => {
    if (req.is404) return;
    rejectNulParams(req.query, req.params);
    rejectQueryBodyRepeats(req.query, bodyParams(req.body));
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    t.metrics.latency.observe({ method: req.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    // One line per request, without the query string (it could carry a secret).
    req.log.info({ method: req.method, path: req.url.split('?')[0], ip: req.clientIp, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 100) / 100 }, 'request');
  });
  const countError = (code: string) => t.metrics.errors.inc({ error: code });
  app.setErrorHandler((err, req, reply) => handleError(err, req, reply, countError));
  app.setNotFoundHandler((req, reply) =>
    handleError(new OAuthError('invalid_request', `no endpoint at ${req.method} ${req.url.split('?')[0]!.slice(0, 100)}`, { status: 404 }), req, reply, countError));

  const dialects = opts.dialects ?? enabledDialects(t.config);
  const shapers = new Map<string, TokenBodyShaper>();
  for (const d of dialects) if (d.standardEndpointBody) shapers.set(d.name, d.standardEndpointBody);
  tokenRoute(app, t, shapers);
  userinfoRoute(app, t);
  introspectionRoute(app, t);
  revocationRoute(app, t);
  registrationRoutes(app, t);
  wellKnownRoutes(app, t);
  // The browser sign-in: authorization endpoint, login, consent, logout, account page.
  const web = authorizeRoutes(app, t);
  logoutRoutes(app, web);
  accountRoutes(app, web);
  healthRoutes(app, t);
  // `metrics_listener`: on the admin listener by default (admin/app.ts).
  if (t.config.metrics_listener === 'public') metricsRoute(app, t);
  for (const d of dialects) mountDialect(app, t, d);
  return app;
}

// Per request, first thing: the client's address (client-ip.ts) as `req.clientIp`, read by
// the log line, the rate limits and lockouts; then, on the token and token-validation
// routes, the per-address bucket, before the body is read or a secret is hashed. The
// per-client bucket comes after authentication (limits/rate.ts).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Tessera } from '../runtime.js';
import { clientIp, type TrustedProxies } from './client-ip.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The client's address: the socket's, or what a trusted proxy says (never `req.ip`). */
    clientIp: string;
  }
  interface FastifyContextConfig {
    /** Behind the per-address rate limit (set through routes/methods.ts). */
    rateLimited?: boolean;
  }
}

/** The client address of a request (set by the first onRequest hook). */
export const clientIpOf = (req: FastifyRequest): string => req.clientIp;

export function clientAddressHooks(app: FastifyInstance, t: Tessera, proxies: TrustedProxies): void {
  app.decorateRequest('clientIp', '');
  app.addHook('onRequest', async (req) => {
    req.clientIp = clientIp(req.socket.remoteAddress, req.headers, proxies);
    if (req.routeOptions.config?.rateLimited) await t.rateLimits.admitAddress(req.clientIp);
  });
}

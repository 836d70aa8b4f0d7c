// GET and POST /oauth2/userinfo (OIDC Core §5.3.1): a Bearer access token in the
// Authorization header (RFC 6750 §2.1), or on POST as the `access_token` form parameter
// (§2.2). Never in the query (§2.3 is refused, as on every endpoint: it ends up in logs).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { invalidRequest, invalidToken } from '../../core/errors.js';
import { lockSubject } from '../../core/throttle.js';
import { userinfoFor } from '../../core/userinfo.js';
import type { Tessera } from '../../runtime.js';
import { bodyParams } from '../body.js';
import { bearerToken, rejectSecretsInQuery } from '../credentials.js';
import { clientIpOf } from '../rate-limit.js';
import { noStore } from '../reply.js';
import { route } from './methods.js';

/** The one token a request presents; RFC 6750 §2: never more than one way. */
function presentedToken(req: FastifyRequest): string {
  const header = req.headers.authorization;
  const fromHeader = bearerToken(header);
  if (header !== undefined && fromHeader === undefined) throw invalidToken('the Authorization header must be "Bearer <access token>"');
  const fromBody = req.method === 'POST' ? bodyParams(req.body).access_token : undefined;
  if (fromHeader !== undefined && fromBody !== undefined) throw invalidRequest('the access token was sent both in the Authorization header and in the body');
  const token = fromHeader ?? fromBody;
  if (token === undefined) throw invalidToken('an access token is required', { missing: true });
  return token;
}

async function userinfo(t: Tessera, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  rejectSecretsInQuery(req.query);
  const ip = lockSubject.ip(clientIpOf(req));
  // Guessed tokens count against the IP (RFC 6819 §5.1.4.2.3); a locked IP is refused first.
  await t.lockout.gate([ip]);
  const token = await t.inspector.inspect(presentedToken(req));
  if (!token) await t.lockout.failed([ip]);
  // The per-client bucket of the client the token was issued to, as its other calls.
  const client = token?.active ? await t.store.clients.get(token.client_id) : null;
  if (client) await t.rateLimits.admitClient(client);
  return noStore(reply).type('application/json').send(userinfoFor(token));
}

export function userinfoRoute(app: FastifyInstance, t: Tessera): void {
  route(app, ['GET', 'POST'], '/oauth2/userinfo', (req, reply) => userinfo(t, req, reply), { rateLimited: true });
}

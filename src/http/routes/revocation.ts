// POST /oauth2/revoke (RFC 7009). 200 with an empty body whether or not the token was
// known (§2.2); an unsupported token_type_hint is ignored, as §2.1 allows.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { invalidRequest } from '../../core/errors.js';
import { revokeToken } from '../../core/revocation.js';
import { authenticateGuarded } from '../../core/throttle.js';
import type { Tessera } from '../../runtime.js';
import { bodyParams } from '../body.js';
import { presentedCredentials, rejectSecretsInQuery } from '../credentials.js';
import { noStore } from '../reply.js';
import { route } from './methods.js';
import { clientIpOf } from '../rate-limit.js';

/** The RFC 7009 request; dialects that offer revocation answer it on their own path (`via`). */
export async function revokeRequest(t: Tessera, req: FastifyRequest, reply: FastifyReply, via?: string): Promise<FastifyReply> {
  rejectSecretsInQuery(req.query);
  const params = bodyParams(req.body);
  const ip = clientIpOf(req);
  const client = await authenticateGuarded({ throttle: t.lockout, clients: t.store.clients, ip }, presentedCredentials(req.headers.authorization, params, via));
  await t.rateLimits.admitClient(client);
  if (!params.token) throw invalidRequest('token is required');
  await revokeToken(t.store, t.inspector, client, params.token);
  return noStore(reply).status(200).send();
}

export function revocationRoute(app: FastifyInstance, t: Tessera): void {
  route(app, 'POST', '/oauth2/revoke', (req, reply) => revokeRequest(t, req, reply), { rateLimited: true });
}

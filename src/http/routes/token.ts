// POST /oauth2/token (RFC 6749 §3.2). The response is RFC 6749 §5.1, unless the client's
// profile is a mounted dialect's that declares its own shape here (src/dialects).
import type { FastifyInstance } from 'fastify';
import type { TokenResult } from '../../core/token-service.js';
import type { Tessera } from '../../runtime.js';
import { bodyParams } from '../body.js';
import { presentedCredentials, rejectSecretsInQuery } from '../credentials.js';
import { noStore } from '../reply.js';
import { route } from './methods.js';
import { clientIpOf } from '../rate-limit.js';

/** RFC 6749 §5.1 success body. */
export function standardTokenBody(r: TokenResult): Record<string, unknown> {
  const body: Record<string, unknown> = {
    access_token: r.access_token,
    token_type: r.token_type,
    expires_in: r.expires_in,
    scope: r.scope,
  };
  if (r.refresh_token) body.refresh_token = r.refresh_token;
  // OIDC Core §3.1.3.3.
  if (r.id_token) body.id_token = r.id_token;
  return body;
}

export type TokenBodyShaper = (r: TokenResult) => Record<string, unknown>;

/**
 * `byProfile`: how this endpoint answers a client whose `profile` names a dialect that
 * shapes standard-endpoint answers (apk, hcx), built by the app from the mounted dialects.
 */
export function tokenRoute(app: FastifyInstance, t: Tessera, byProfile: ReadonlyMap<string, TokenBodyShaper>): void {
  route(app, 'POST', '/oauth2/token', async (req, reply) => {
    rejectSecretsInQuery(req.query);
    const params = bodyParams(req.body);
    const result = await t.tokens.issue({ params, credentials: presentedCredentials(req.headers.authorization, params), ip: clientIpOf(req) });
    const shape = (result.client.profile && byProfile.get(result.client.profile)) || standardTokenBody;
    return noStore(reply).send(shape(result));
  }, { rateLimited: true });
}

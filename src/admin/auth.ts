// Who may call the admin API: a Bearer access token this Tessera issued (RFC 6750 §2.1),
// still active (not expired or revoked, its client and user still enabled: core/inspect.ts),
// whose scope holds `tessera:admin`. No or a bad token is 401, a token without the scope
// 403, each with the WWW-Authenticate challenge of RFC 6750 §3.
import type { FastifyRequest } from 'fastify';
import type { Tessera } from '../runtime.js';
import { ADMIN_SCOPE, parseScope } from '../core/scope.js';
import { Problem } from './problem.js';

export { ADMIN_SCOPE };
const REALM = 'realm="tessera-admin"';

/** The caller of an admin request: the token's client, and its user for a user's token. */
export interface Actor {
  client_id: string;
  user_id: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
  interface FastifyContextConfig {
    /** false: answered without a token (the OpenAPI document, /metrics). */
    adminAuth?: boolean;
  }
}

const unauthorized = (detail: string, error?: string) => new Problem('unauthorized', detail, {
  // RFC 6750 §3.1: no error code when the request carried no token at all.
  headers: { 'www-authenticate': error ? `Bearer ${REALM}, error="${error}", error_description="${detail}"` : `Bearer ${REALM}` },
});

export async function authenticate(t: Tessera, req: FastifyRequest): Promise<Actor> {
  const h = req.headers.authorization;
  if (h === undefined) throw unauthorized('send an access token with the tessera:admin scope: Authorization: Bearer <token>');
  // RFC 6750 §2.1: b64token; the scheme name is case-insensitive (RFC 9110 §11.1).
  const m = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec(h);
  if (!m) throw unauthorized('the Authorization header is not a Bearer token', 'invalid_request');
  const found = await t.inspector.inspect(m[1]!);
  if (!found || found.kind !== 'access_token' || !found.active) throw unauthorized('the access token is invalid, expired or revoked', 'invalid_token');
  if (!parseScope(found.scope).includes(ADMIN_SCOPE)) {
    throw new Problem('forbidden', `the access token lacks the ${ADMIN_SCOPE} scope`, {
      headers: { 'www-authenticate': `Bearer ${REALM}, error="insufficient_scope", scope="${ADMIN_SCOPE}"` },
    });
  }
  return { client_id: found.client_id, user_id: found.user_id };
}

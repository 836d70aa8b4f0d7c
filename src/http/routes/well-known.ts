// GET /.well-known/jwks.json (RFC 7517) and the metadata documents (RFC 8414; the same
// document under the OpenID path, which many client libraries look for first).
import type { FastifyInstance } from 'fastify';
import { JWKS_MAX_AGE } from '../../core/key-schedule.js';
import { AUTH_METHODS, GRANT_TYPES, SIGNING_ALGS } from '../../core/types.js';
import type { Tessera } from '../../runtime.js';
import { route } from './methods.js';

export function metadata(t: Tessera): Record<string, unknown> {
  const iss = t.config.issuer;
  const confidential = AUTH_METHODS.filter((m) => m !== 'none');
  return {
    issuer: iss,
    token_endpoint: `${iss}/oauth2/token`,
    jwks_uri: `${iss}/.well-known/jwks.json`,
    introspection_endpoint: `${iss}/oauth2/introspect`,
    revocation_endpoint: `${iss}/oauth2/revoke`,
    ...(t.config.registration === false ? {} : { registration_endpoint: `${iss}/oauth2/register` }), // RFC 8414 §2, RFC 7591 §3
    // RFC 8414 §2: required; Tessera has no authorization endpoint, so it lists none.
    response_types_supported: [],
    // authorization_code is listed once the authorization endpoint exists (issue 9).
    grant_types_supported: GRANT_TYPES.filter((g) => g !== 'authorization_code'),
    token_endpoint_auth_methods_supported: [...AUTH_METHODS],
    introspection_endpoint_auth_methods_supported: confidential,
    revocation_endpoint_auth_methods_supported: [...AUTH_METHODS],
    // RFC 9068 access tokens are signed with these.
    access_token_signing_alg_values_supported: [...SIGNING_ALGS],
  };
}

export function wellKnownRoutes(app: FastifyInstance, t: Tessera): void {
  route(app, 'GET', '/.well-known/jwks.json', async (_req, reply) =>
    reply.header('cache-control', `public, max-age=${JWKS_MAX_AGE}`).type('application/jwk-set+json').send(t.keys.jwks()));
  const doc = async (_req: unknown, reply: import('fastify').FastifyReply) =>
    reply.header('cache-control', 'public, max-age=300').send(metadata(t));
  route(app, 'GET', '/.well-known/oauth-authorization-server', doc);
  route(app, 'GET', '/.well-known/openid-configuration', doc);
}

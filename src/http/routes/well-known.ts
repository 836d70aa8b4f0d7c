// GET /.well-known/jwks.json (RFC 7517) and the metadata documents (RFC 8414 §2 and OIDC
// Discovery §3: one document under both paths, which holds the fields of both).
import type { FastifyInstance } from 'fastify';
import { JWKS_MAX_AGE } from '../../core/key-schedule.js';
import { ID_TOKEN_CLAIMS } from '../../core/id-token.js';
import { AUTH_METHODS, GRANT_TYPES, ID_TOKEN_ALGS, PKCE_METHODS, SIGNING_ALGS } from '../../core/types.js';
import { OIDC_SCOPES, USERINFO_CLAIMS } from '../../core/userinfo.js';
import type { Tessera } from '../../runtime.js';
import { route } from './methods.js';

export function metadata(t: Tessera): Record<string, unknown> {
  const iss = t.config.issuer;
  const confidential = AUTH_METHODS.filter((m) => m !== 'none');
  return {
    issuer: iss,
    authorization_endpoint: `${iss}/oauth2/authorize`,
    token_endpoint: `${iss}/oauth2/token`,
    userinfo_endpoint: `${iss}/oauth2/userinfo`,
    jwks_uri: `${iss}/.well-known/jwks.json`,
    introspection_endpoint: `${iss}/oauth2/introspect`,
    revocation_endpoint: `${iss}/oauth2/revoke`,
    // OIDC RP-Initiated Logout 1.0 §2.1.
    end_session_endpoint: `${iss}/oauth2/logout`,
    ...(t.config.registration === false ? {} : { registration_endpoint: `${iss}/oauth2/register` }), // RFC 8414 §2, RFC 7591 §3
    // The OIDC scopes; a client's own scopes are its business and are not listed (RFC 8414 §2: "SHOULD", not all).
    scopes_supported: [...OIDC_SCOPES],
    response_types_supported: ['code'],
    response_modes_supported: ['query', 'form_post'],
    grant_types_supported: [...GRANT_TYPES],
    // RFC 7636 §4.2: both are understood; `plain` is accepted only from a client registered
    // with allow_plain_pkce, and public clients must send a challenge.
    code_challenge_methods_supported: [...PKCE_METHODS],
    // RFC 9207 §3: the authorization response carries `iss`.
    authorization_response_iss_parameter_supported: true,
    token_endpoint_auth_methods_supported: [...AUTH_METHODS],
    introspection_endpoint_auth_methods_supported: confidential,
    revocation_endpoint_auth_methods_supported: [...AUTH_METHODS],
    // RFC 9068 access tokens are signed with these.
    access_token_signing_alg_values_supported: [...SIGNING_ALGS],
    // OIDC Discovery §3.
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [...ID_TOKEN_ALGS],
    claims_supported: [...ID_TOKEN_CLAIMS, ...USERINFO_CLAIMS.filter((c) => c !== 'sub')],
    prompt_values_supported: ['none', 'login', 'consent'],
    claims_parameter_supported: false,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
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

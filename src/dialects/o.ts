// Dialect `o`: Django-OAuth-Toolkit's endpoints (`/o/token/`, `/o/revoke_token/`,
// `/o/introspect/`). Credentials come by HTTP Basic (what curl sends for
// https://ID:SECRET@host/o/token/) or in the body; bad user credentials answer with
// oauthlib's own text. Everything else is the core's.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError } from '../core/errors.js';
import { INTROSPECTION_SCOPE } from '../core/introspection.js';
import { lockSubject, tokenSubject } from '../core/throttle.js';
import type { TokenResult } from '../core/token-service.js';
import type { Client } from '../core/types.js';
import { bodyParams } from '../http/body.js';
import { bearerToken, presentedCredentials, rejectSecretsInQuery } from '../http/credentials.js';
import { noStore, sendOAuthError } from '../http/reply.js';
import { introspectionCaller, introspectionReply } from '../http/routes/introspection.js';
import { revokeRequest } from '../http/routes/revocation.js';
import type { Tessera } from '../runtime.js';
import type { Dialect } from './dialect.js';
import { clientIpOf } from '../http/rate-limit.js';

/** oauthlib's description for a failed password grant (oauthlib/oauth2/rfc6749/grant_types). */
export const O_INVALID_CREDENTIALS = 'Invalid credentials given.';

/** DOT's token response, fields in the documented order. */
export function oTokenBody(r: TokenResult): Record<string, unknown> {
  const body: Record<string, unknown> = { access_token: r.access_token, expires_in: r.expires_in };
  if (r.refresh_token) body.refresh_token = r.refresh_token;
  body.scope = r.scope;
  body.token_type = r.token_type;
  return body;
}

function formatError(reply: FastifyReply, err: OAuthError): FastifyReply {
  if (err.reason === 'invalid_user_credentials') {
    return sendOAuthError(reply, new OAuthError('invalid_grant', O_INVALID_CREDENTIALS, { status: err.status, headers: err.headers }));
  }
  return sendOAuthError(reply, err);
}

const insufficientScope = () => new OAuthError('insufficient_scope', 'the Bearer token needs the introspection scope', {
  status: 403, headers: { 'www-authenticate': `Bearer error="insufficient_scope", scope="${INTROSPECTION_SCOPE}"` },
});

/**
 * The introspecting client of a Bearer-authenticated call: the Bearer must be an active
 * access token (never a refresh token) that a client holds for itself (no user behind it)
 * with the `introspection` scope; the client it was issued to is then the caller.
 */
async function bearerCaller(t: Tessera, bearer: string): Promise<Client> {
  const token = await t.inspector.inspect(bearer);
  if (!token?.active || token.kind !== 'access_token') {
    throw new OAuthError('invalid_token', 'the Bearer token is not an active access token', {
      status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
    });
  }
  if (token.user_id !== null || !token.scope.split(' ').includes(INTROSPECTION_SCOPE)) throw insufficientScope();
  const client = await t.store.clients.get(token.client_id);
  if (!client) throw insufficientScope();
  return client;
}

/**
 * DOT's IntrospectTokenView: the caller authenticates as a client (Basic or body) or with
 * a Bearer token holding the `introspection` scope, and names the token in `token`. What
 * the caller may see is the core's rule (core/introspection.ts).
 */
async function introspect(t: Tessera, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  rejectSecretsInQuery(req.query);
  const params = bodyParams(req.body);
  const bearer = bearerToken(req.headers.authorization);
  const ip = clientIpOf(req);
  let caller: Client;
  if (bearer === undefined) {
    caller = await introspectionCaller(t, presentedCredentials(req.headers.authorization, params, 'o'), ip);
  } else {
    // The Bearer names the caller; its gate comes before the token it names is looked up.
    caller = await bearerCaller(t, bearer);
    await t.lockout.gate([lockSubject.ip(ip), ...tokenSubject(caller)]);
  }
  await t.rateLimits.admitClient(caller);
  return introspectionReply(t, reply, caller, params.token, ip);
}

export const oDialect: Dialect = {
  name: 'o',
  formatError,
  routes: [
    {
      method: 'POST',
      url: '/o/token/',
      handler: async (t, req, reply) => {
        rejectSecretsInQuery(req.query);
        const params = bodyParams(req.body);
        const result = await t.tokens.issue({ params, credentials: presentedCredentials(req.headers.authorization, params, 'o'), ip: clientIpOf(req) });
        return noStore(reply).send(oTokenBody(result));
      },
    },
    // RFC 7009 as DOT's RevokeTokenView offers it: 200 and an empty body.
    { method: 'POST', url: '/o/revoke_token/', handler: (t, req, reply) => revokeRequest(t, req, reply, 'o') },
    // DOT answers introspection on GET and POST alike.
    { method: ['GET', 'POST'], url: '/o/introspect/', handler: introspect },
  ],
};

// Dialect `v1`: POST /v1/oauth/token/{token_type} (JSON body; issues and refreshes with
// rotation) and GET /v1/oauth/token (is this Bearer token still valid, and for how long).
// `token_type` user needs a user behind the token; company is the client itself.
import { invalidRequest, OAuthError } from '../core/errors.js';
import { audiences } from '../core/introspection.js';
import type { TokenResult } from '../core/token-service.js';
import type { User } from '../core/types.js';
import { bodyParams } from '../http/body.js';
import { bearerToken, presentedCredentials, rejectSecretsInQuery } from '../http/credentials.js';
import { noStore } from '../http/reply.js';
import type { Dialect } from './dialect.js';
import { clientIpOf } from '../http/rate-limit.js';

/** The document's failure body for GET /v1/oauth/token, with RFC 6750 §3's challenge. */
export const V1_INVALID_HEADER = 'missing/invalid parameters authorization header';

/** The `aud` (RFC 8707 resource) that makes a token of any client valid at GET /v1/oauth/token. */
export const v1Audience = (issuer: string): string => `${issuer}/v1`;

function invalidHeader(tokenPresent: boolean): OAuthError {
  return new OAuthError('invalid_request', V1_INVALID_HEADER, {
    status: 401,
    // RFC 6750 §3.1: no error code when the request carried no token at all.
    headers: { 'www-authenticate': tokenPresent ? 'Bearer error="invalid_token"' : 'Bearer' },
  });
}

const TOKEN_TYPES = {
  user: (user: User | null) => {
    if (!user) throw invalidRequest('a user token needs a user: use grant_type password (or refresh_token with a user token)');
  },
  company: (user: User | null) => {
    if (user) throw invalidRequest('a company token is issued to the client itself: use grant_type client_credentials');
  },
} as const;

export function v1TokenBody(r: TokenResult): Record<string, unknown> {
  const body: Record<string, unknown> = { access_token: r.access_token, token_type: 'bearer', expires_in: r.expires_in };
  if (r.refresh_token) body.refresh_token = r.refresh_token;
  return body;
}

export const v1Dialect: Dialect = {
  name: 'v1',
  routes: [
    {
      method: 'POST',
      url: '/v1/oauth/token/:token_type',
      handler: async (t, req, reply) => {
        rejectSecretsInQuery(req.query);
        const tokenType = (req.params as { token_type: string }).token_type;
        const checkUser = Object.hasOwn(TOKEN_TYPES, tokenType) ? TOKEN_TYPES[tokenType as keyof typeof TOKEN_TYPES] : undefined;
        if (!checkUser) throw invalidRequest(`token_type ${JSON.stringify(tokenType.slice(0, 32))} is not supported: use /v1/oauth/token/user or /v1/oauth/token/company`);
        const params = bodyParams(req.body);
        const result = await t.tokens.issue({ params, credentials: presentedCredentials(req.headers.authorization, params, 'v1'), ip: clientIpOf(req), checkUser });
        return noStore(reply).send(v1TokenBody(result));
      },
    },
    {
      method: 'GET',
      url: '/v1/oauth/token',
      // Valid here: an active access token meant for this API, i.e. issued to a client of
      // profile v1, or whose `aud` names v1Audience(issuer). Any other token of this server
      // (another dialect's, a gateway's) is invalid here, as if unknown.
      handler: async (t, req, reply) => {
        const bearer = bearerToken(req.headers.authorization);
        if (!bearer) throw invalidHeader(false);
        const now = Math.floor(Date.now() / 1000);
        const token = await t.inspector.inspect(bearer, now);
        if (!token || !token.active || token.kind !== 'access_token') throw invalidHeader(true);
        const client = await t.store.clients.get(token.client_id);
        const meantForV1 = client?.profile === 'v1' || audiences(token.claims.aud).includes(v1Audience(t.config.issuer));
        if (!meantForV1) throw invalidHeader(true);
        return noStore(reply).send({ access_token: bearer, token_type: 'bearer', expires_in: token.exp - now });
      },
    },
  ],
};

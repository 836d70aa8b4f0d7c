// Dialect `v1`: POST /v1/oauth/token/{token_type} (JSON body; issues and refreshes with
// rotation) and GET /v1/oauth/token (is this Bearer token still valid, and for how long).
// `token_type` user needs a user behind the token; company is the client itself.
import type { FastifyInstance } from 'fastify';
import { invalidRequest, OAuthError } from '../core/errors.js';
import type { TokenResult } from '../core/token-service.js';
import type { User } from '../core/types.js';
import { ensureClient, ensureUser, type DevContext, type DevSection } from '../dev.js';
import { bodyParams } from '../http/body.js';
import { bearerToken, presentedCredentials, rejectSecretsInQuery } from '../http/credentials.js';
import { noStore } from '../http/reply.js';
import { route } from '../http/routes/methods.js';
import type { Tessera } from '../runtime.js';
import type { Dialect } from './index.js';

/** The document's failure body for GET /v1/oauth/token, with RFC 6750 §3's challenge. */
export const V1_INVALID_HEADER = 'missing/invalid parameters authorization header';

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
  register(app: FastifyInstance, t: Tessera) {
    route(app, 'POST', '/v1/oauth/token/:token_type', async (req, reply) => {
      rejectSecretsInQuery(req.query);
      const tokenType = (req.params as { token_type: string }).token_type;
      const checkUser = Object.hasOwn(TOKEN_TYPES, tokenType) ? TOKEN_TYPES[tokenType as keyof typeof TOKEN_TYPES] : undefined;
      if (!checkUser) throw invalidRequest(`token_type ${JSON.stringify(tokenType.slice(0, 32))} is not supported: use /v1/oauth/token/user or /v1/oauth/token/company`);
      const params = bodyParams(req.body);
      const result = await t.tokens.issue({ params, credentials: presentedCredentials(req.headers.authorization, params), checkUser });
      return noStore(reply).send(v1TokenBody(result));
    });

    route(app, 'GET', '/v1/oauth/token', async (req, reply) => {
      const bearer = bearerToken(req.headers.authorization);
      if (!bearer) throw invalidHeader(false);
      const now = Math.floor(Date.now() / 1000);
      const token = await t.inspector.inspect(bearer, now);
      if (!token || !token.active || token.kind !== 'access_token') throw invalidHeader(true);
      return noStore(reply).send({ access_token: bearer, token_type: 'bearer', expires_in: token.exp - now });
    });
  },
};

/** `serve --dev`: a client and user, and the curl that gets the first user token. */
export async function v1DevFixture({ t, url, secret }: DevContext): Promise<DevSection | null> {
  if (!t.config.dialects.includes('v1')) return null;
  const clientSecret = secret('v1-client');
  const password = secret('v1-user').slice(0, 16);
  await ensureClient(t, {
    client_id: 'v1-demo', client_secret: clientSecret, client_name: 'Dev /v1/oauth client',
    grant_types: ['password', 'refresh_token', 'client_credentials'], scope: '',
    token_endpoint_auth_method: 'client_secret_post', access_token_format: 'jwt', resources: [], profile: 'v1',
  });
  await ensureUser(t, { username: 'v1-user', password, roles: [] });
  const body = JSON.stringify({ grant_type: 'password', username: 'v1-user', password, client_id: 'v1-demo', client_secret: clientSecret });
  return {
    title: 'dialect v1 (POST /v1/oauth/token/{token_type}; refresh as in the document with the refresh_token it returns)',
    lines: [
      `client: v1-demo / ${clientSecret}    user: v1-user / ${password}`,
      `curl ${url.startsWith('https:') ? '-k ' : ''}-X POST ${url}/v1/oauth/token/user --header 'Content-Type: application/json' -d '${body}'`,
    ],
  };
}

// Dialect `o`: Django-OAuth-Toolkit's endpoints (`/o/token/`, `/o/revoke_token/`,
// `/o/introspect/`). Credentials come by HTTP Basic (what curl sends for
// https://ID:SECRET@host/o/token/) or in the body; bad user credentials answer with
// oauthlib's own text. Everything else is the core's.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticateConfidentialClient } from '../core/client-auth/index.js';
import { invalidRequest, OAuthError } from '../core/errors.js';
import { INVALID_CREDENTIALS } from '../core/grants/password.js';
import type { TokenResult } from '../core/token-service.js';
import { ensureClient, ensureUser, type DevContext, type DevSection } from '../dev.js';
import { bodyParams } from '../http/body.js';
import { bearerToken, presentedCredentials, rejectSecretsInQuery } from '../http/credentials.js';
import { methodNotAllowed } from '../http/errors.js';
import { noStore, sendOAuthError } from '../http/reply.js';
import { introspectionBody } from '../http/routes/introspection.js';
import { revocationHandler } from '../http/routes/revocation.js';
import { route } from '../http/routes/methods.js';
import type { Tessera } from '../runtime.js';
import type { Dialect } from './index.js';

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
  if (err.code === 'invalid_grant' && err.description === INVALID_CREDENTIALS) {
    return sendOAuthError(reply, new OAuthError('invalid_grant', O_INVALID_CREDENTIALS, { status: err.status, headers: err.headers }));
  }
  return sendOAuthError(reply, err);
}

/**
 * DOT's IntrospectTokenView: the caller authenticates as a client (Basic or body) or with
 * a Bearer token holding the `introspection` scope, and names the token in `token`.
 * Tessera also lets a resource server send only the token it was given, as the Bearer
 * token: that token is then the one checked.
 */
async function introspect(t: Tessera, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  rejectSecretsInQuery(req.query);
  const params = bodyParams(req.body);
  const bearer = bearerToken(req.headers.authorization);
  let token = params.token;
  if (bearer !== undefined) {
    if (token === undefined) {
      token = bearer;
    } else {
      const caller = await t.inspector.inspect(bearer);
      if (!caller?.active || caller.kind !== 'access_token' || !caller.scope.split(' ').includes('introspection')) {
        throw new OAuthError('insufficient_scope', 'the Bearer token needs the introspection scope to check another token', {
          status: 403, headers: { 'www-authenticate': 'Bearer error="insufficient_scope", scope="introspection"' },
        });
      }
    }
  } else {
    await authenticateConfidentialClient(t.store.clients, presentedCredentials(req.headers.authorization, params));
  }
  if (!token) throw invalidRequest('token is required');
  return noStore(reply).send(await introspectionBody(t, await t.inspector.inspect(token)));
}

export const oDialect: Dialect = {
  name: 'o',
  register(app: FastifyInstance, t: Tessera) {
    route(app, 'POST', '/o/token/', async (req, reply) => {
      rejectSecretsInQuery(req.query);
      const params = bodyParams(req.body);
      const result = await t.tokens.issue({ params, credentials: presentedCredentials(req.headers.authorization, params) });
      return noStore(reply).send(oTokenBody(result));
    }, formatError);

    // RFC 7009 as DOT's RevokeTokenView offers it: 200 and an empty body.
    route(app, 'POST', '/o/revoke_token/', revocationHandler(t), formatError);

    // DOT answers introspection on GET and POST alike.
    const config = { formatError };
    app.route({ method: ['GET', 'POST'], url: '/o/introspect/', config, handler: (req, reply) => introspect(t, req, reply) });
    app.route({
      method: ['PUT', 'DELETE', 'PATCH'], url: '/o/introspect/', config,
      handler: async () => { throw methodNotAllowed('GET, HEAD, POST'); },
    });
  },
};

/** `serve --dev`: a DOT client and user, and the document's password-grant curl. */
export async function oDevFixture({ t, url, secret }: DevContext): Promise<DevSection | null> {
  if (!t.config.dialects.includes('o')) return null;
  const clientSecret = secret('o-client');
  const password = secret('o-user').slice(0, 16);
  await ensureClient(t, {
    client_id: 'dot-demo', client_secret: clientSecret, client_name: 'Dev Django-OAuth-Toolkit client',
    grant_types: ['password', 'refresh_token', 'client_credentials'], scope: 'read write introspection',
    token_endpoint_auth_method: 'client_secret_basic', access_token_format: 'opaque', resources: [], profile: 'o',
  });
  await ensureUser(t, { username: 'dot-user', password, roles: [], name: 'DOT Dev User' });
  const withCredentials = url.replace('://', `://dot-demo:${clientSecret}@`);
  return {
    title: 'dialect o (Django-OAuth-Toolkit /o/token/)',
    lines: [
      `client: dot-demo / ${clientSecret}    user: dot-user / ${password}`,
      // Under `serve --dev --tls` the certificate is self-signed: -k, as the apk guide does.
      `curl ${url.startsWith('https:') ? '-k ' : ''}-X POST -d "grant_type=password&username=dot-user&password=${password}" ${withCredentials}/o/token/`,
    ],
  };
}

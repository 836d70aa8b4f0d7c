// Dialect `hcx`: the Swasth Health Claims Exchange token API. Form posts under
// /api/v0.7|v0.8|v0.9 become password (or refresh_token) grants of the built-in public
// client `hcx_client_id`; the answer is Keycloak's token response, errors are HCX's
// `{timestamp, error: {code, message}}`. Claims: core/profiles/hcx.ts.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { invalidRequest, OAuthError } from '../core/errors.js';
import type { Params } from '../core/grants/index.js';
import type { PresentedCredentials } from '../core/client-auth/index.js';
import type { TokenResult } from '../core/token-service.js';
import type { User } from '../core/types.js';
import { bodyParams } from '../http/body.js';
import { rejectSecretsInQuery } from '../http/credentials.js';
import { noStore } from '../http/reply.js';
import type { Tessera } from '../runtime.js';
import type { Dialect, DialectRoute } from './dialect.js';
import { clientIpOf } from '../http/rate-limit.js';

export const HCX_VERSIONS = ['v0.7', 'v0.8', 'v0.9'] as const;

/** HCX error codes and the statuses Tessera answers them with (docs/dialects.md). */
const CODES = {
  ERR_INVALID_REQUEST: 400,
  ERR_ACCESS_DENIED: 401,
  ERR_INVALID_USER_DETAILS: 400,
  ERR_SERVICE_UNAVAILABLE: 500,
} as const;
type HcxCode = keyof typeof CODES;

/** An error that already carries its HCX code and message. */
class HcxError extends OAuthError {
  constructor(readonly hcxCode: HcxCode, message: string) {
    super(hcxCode === 'ERR_ACCESS_DENIED' ? 'invalid_grant' : 'invalid_request', message, { status: CODES[hcxCode] });
  }
}

/** Any error on an HCX route, in HCX's body. Core errors are mapped by code and reason. */
function formatError(reply: FastifyReply, err: OAuthError): FastifyReply {
  let code: HcxCode;
  let message = err.description;
  if (err instanceof HcxError) code = err.hcxCode;
  // A lockout or rate limit (429) is "try later" as a 5xx is; it keeps its status and Retry-After.
  else if (err.status >= 500 || err.reason === 'throttled') code = 'ERR_SERVICE_UNAVAILABLE';
  else if (err.code === 'invalid_grant' || err.code === 'invalid_client' || err.code === 'unauthorized_client') {
    code = 'ERR_ACCESS_DENIED';
    if (err.reason === 'invalid_user_credentials') message = 'Invalid credentials';
  } else {
    code = 'ERR_INVALID_REQUEST';
    message = `Invalid request, ${err.description}`;
  }
  // Bad credentials are 401 (as Keycloak answers them); everything else keeps its status.
  noStore(reply).status(code === 'ERR_ACCESS_DENIED' ? 401 : err.status);
  for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
  return reply.type('application/json').send({ timestamp: Date.now(), error: { code, message } });
}

/** Keycloak's token response, the fields HCX documents. */
export function hcxTokenBody(r: TokenResult): Record<string, unknown> {
  return {
    access_token: r.access_token,
    expires_in: r.expires_in,
    refresh_expires_in: r.refresh_expires_in ?? 0,
    refresh_token: r.refresh_token ?? '',
    token_type: r.token_type,
    // Keycloak's realm not-before policy: 0 = none pushed (Tessera revokes per family instead).
    'not-before-policy': 0,
    session_state: r.family_id ?? '',
    scope: r.scope,
  };
}

function mandatory(params: Params, ...names: string[]): void {
  for (const n of names) if (!params[n]) throw new HcxError('ERR_INVALID_REQUEST', `Invalid request, ${n} is mandatory`);
}

/**
 * HCX users belong to a participant; on the participant route, to the one named. A user
 * without one is not an HCX user, whatever their password.
 */
function hcxUser(participantCode: string | undefined) {
  return (user: User | null) => {
    if (!user?.participant_code) {
      throw new HcxError('ERR_INVALID_USER_DETAILS', 'Invalid user details, the user does not belong to a participant');
    }
    if (participantCode !== undefined && user.participant_code !== participantCode) {
      throw new HcxError('ERR_INVALID_USER_DETAILS', `Invalid user details, the user does not belong to participant ${participantCode}`);
    }
  };
}

/** HCX's clients never send client credentials: tokens go to the built-in public client. */
async function generate(t: Tessera, body: unknown, ip: string, participant: boolean): Promise<TokenResult> {
  const form = bodyParams(body);
  const credentials: PresentedCredentials = { method: 'none', client_id: t.config.hcx_client_id, client_secret: undefined, via: 'hcx' };
  if (form.grant_type === 'refresh_token') {
    mandatory(form, 'refresh_token');
    return t.tokens.issue({ params: { refresh_token: form.refresh_token! }, credentials, ip, grantType: 'refresh_token', checkUser: hcxUser(undefined) });
  }
  if (form.grant_type !== undefined && form.grant_type !== 'password') throw invalidRequest('grant_type must be password or refresh_token');
  // The platform accepts `secret` in place of `password`.
  const params: Record<string, string> = { ...form, password: form.password ?? form.secret ?? '' };
  mandatory(params, 'username', ...(participant ? ['participant_code'] : []), 'password');
  delete params.secret;
  return t.tokens.issue({ params, credentials, ip, grantType: 'password', checkUser: hcxUser(participant ? params.participant_code! : undefined) });
}

const routes: DialectRoute[] = HCX_VERSIONS.flatMap((v) => ([['participant', true], ['user', false]] as const).map(([path, participant]) => ({
  method: 'POST' as const,
  url: `/api/${v}/${path}/auth/token/generate`,
  handler: async (t: Tessera, req: FastifyRequest, reply: FastifyReply) => {
    rejectSecretsInQuery(req.query);
    return noStore(reply).send(hcxTokenBody(await generate(t, req.body, clientIpOf(req), participant)));
  },
})));

export const hcxDialect: Dialect = {
  name: 'hcx',
  routes,
  formatError,
  // An operator's client of profile hcx at /oauth2/token answers in the same Keycloak shape.
  standardEndpointBody: hcxTokenBody,
  builtInClients: (config) => [{
    client_id: config.hcx_client_id, client_name: 'HCX (built-in public client)',
    grant_types: ['password', 'refresh_token'], scope: 'profile email', token_endpoint_auth_method: 'none',
    access_token_format: 'jwt', resources: [], profile: 'hcx',
  }],
};

// RFC 6749 §4.1.3 with PKCE (RFC 7636 §4.6): a code made at the authorization endpoint
// (core/authorization-code.ts) is exchanged once, by the client it was issued to, from the
// same redirect_uri. The code is consumed in the issuing transaction (core/token-service.ts),
// which always makes a family, so that a replay can revoke every token the code gave.
import { invalidGrant, invalidRequest } from '../errors.js';
import { checkVerifierSyntax, verifyPkce } from '../pkce.js';
import { parseScope } from '../scope.js';
import { hashToken } from '../secrets.js';
import { ownerAccepts } from '../sessions.js';
import type { CodeRepo, TokenRepo, UserRepo } from '../store.js';
import type { AuthorizationCodeRecord } from '../types.js';
import type { Grant } from './index.js';
import { resourceOfGrant } from './resource.js';

export interface AuthorizationCodePorts {
  codes: Pick<CodeRepo, 'find'>;
  users: Pick<UserRepo, 'getById'>;
  tokens: Pick<TokenRepo, 'revokeFamily'>;
}

/** One answer for a code that is unknown or not this client's: nothing about it is revealed. */
const INVALID_CODE = 'authorization code is invalid';

export const authorizationCodeGrant = ({ codes, users, tokens }: AuthorizationCodePorts): Grant => ({
  type: 'authorization_code',
  params: ['code', 'redirect_uri', 'code_verifier', 'resource'],
  presentsCredential: true,
  async handle({ client, params, now }) {
    if (!params.code) throw invalidRequest('code is required');
    checkVerifierSyntax(params.code_verifier);
    const code = await codes.find(hashToken(params.code));
    // Guesses, counted against the client's token key and the IP (core/throttle.ts).
    if (!code) throw invalidGrant(INVALID_CODE, undefined, 'unknown_token');
    // RFC 6749 §4.1.3: the code was issued to the authenticated client.
    if (code.client_id !== client.client_id) throw invalidGrant(INVALID_CODE, `code of client ${code.client_id}`, 'unknown_token');
    if (code.used_at !== null) {
      // RFC 6749 §4.1.2: used twice; revoke what the first exchange issued. Not counted as
      // a guess: the code was real (a client's retry, or a leak that this answer contains).
      if (code.family_id !== null) await tokens.revokeFamily(code.family_id, now);
      throw invalidGrant('authorization code has already been used', `replay: family ${code.family_id ?? '-'} revoked`);
    }
    if (code.expires_at <= now) throw invalidGrant('authorization code has expired');
    checkRedirectUri(code, params.redirect_uri);
    // RFC 7636 §4.4.1 is enforced at the authorization endpoint; checked again here: a
    // public client's code without a challenge is refused (RFC 9700 §2.1.1).
    if (client.token_endpoint_auth_method === 'none' && code.code_challenge === null) {
      throw invalidGrant('a public client must use PKCE (RFC 7636)');
    }
    verifyPkce(code, params.code_verifier, client.allow_plain_pkce);
    const user = await users.getById(code.user_id);
    // The sign-in must still stand: the user exists, is enabled, and nothing ended their
    // sessions since they signed in (core/sessions.ts); likewise the client.
    if (!user) throw invalidGrant('the user of this authorization code no longer exists');
    if (!ownerAccepts(user, code.auth_time) || !ownerAccepts(client, code.created_at)) {
      throw invalidGrant('authorization code has been revoked', `user ${user.id} or client ${client.client_id} ended its sessions`);
    }
    const scopes = parseScope(code.scope);
    const signin = { sid: code.sid, auth_time: code.auth_time, acr: code.acr };
    return {
      user,
      scope: code.scope,
      resource: resourceOfGrant(client, code.resource, params.resource),
      consume: { kind: 'authorization_code', hash: code.hash },
      // OIDC Core §11: a grant with offline_access outlives the browser session (logout).
      family: { ...signin, sid: scopes.includes('offline_access') ? null : code.sid },
      ...(scopes.includes('openid') ? { signin: { ...signin, nonce: code.nonce } } : {}),
      mayRefresh: true,
    };
  },
});

/**
 * RFC 6749 §4.1.3: redirect_uri is required when the authorization request included it, and
 * must then be identical; when that request left it out (§3.1.2.3, one registered URI), the
 * token request may leave it out too, or name that same URI.
 */
function checkRedirectUri(code: AuthorizationCodeRecord, presented: string | undefined): void {
  if (presented === undefined) {
    if (!code.redirect_uri_given) return;
    throw invalidRequest('redirect_uri is required: the authorization request included it');
  }
  if (presented !== code.redirect_uri) throw invalidGrant('redirect_uri does not match the authorization request');
}

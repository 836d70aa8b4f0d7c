// RFC 6749 §6 with RFC 9700 §4.14.2 rotation: each refresh token works once; what a second
// presentation gets (its successor again, invalid_grant, or its family revoked) is decided
// in core/rotation.ts.
import { invalidGrant, invalidRequest } from '../errors.js';
import { hashToken } from '../secrets.js';
import { judgeRotated, type SuccessorSeal } from '../rotation.js';
import { grantScope, parseScope } from '../scope.js';
import { ownerAccepts } from '../sessions.js';
import type { TokenRepo } from '../store.js';
import type { Grant, SignIn } from './index.js';
import { resourceOfGrant } from './resource.js';

export interface RefreshTokenPorts {
  tokens: Pick<TokenRepo, 'findRefresh' | 'findFamily' | 'revokeFamily'>;
  seal: SuccessorSeal;
}

export const refreshTokenGrant = ({ tokens, seal }: RefreshTokenPorts): Grant => ({
  type: 'refresh_token',
  params: ['refresh_token', 'scope', 'resource'],
  presentsCredential: true,
  async handle({ client, params, now }) {
    const presented = params.refresh_token;
    if (!presented) throw invalidRequest('refresh_token is required');
    const found = await tokens.findRefresh(hashToken(presented));
    // Both count as guesses against the client (RFC 6819 §4.5.3, core/throttle.ts).
    if (!found) throw invalidGrant('refresh token is invalid', undefined, 'unknown_token');
    // RFC 6749 §6: the refresh token is bound to the client it was issued to.
    if (found.client_id !== client.client_id) throw invalidGrant('refresh token was not issued to this client', undefined, 'unknown_token');
    if (found.family_revoked_at !== null) throw invalidGrant('refresh token has been revoked');
    // Already rotated: its successor again (grace period), or invalid_grant (core/rotation.ts).
    // A successor handed out again is checked below like any presented token.
    const reissued = found.used_at === null ? undefined : await judgeRotated(found, now, tokens, seal);
    const rt = reissued?.record ?? found;
    if (rt.expires_at <= now) throw invalidGrant('refresh token has expired');
    const user = rt.user; // read with the token, in one query
    if (rt.user_id && !user) throw invalidGrant('the user of this refresh token no longer exists');
    // RFC 9700 §4.14.2: a password change or disabling ends the grant (core/sessions.ts).
    // Its family is revoked as well; this check covers a token that revocation missed.
    if (!ownerAccepts(client, rt.created_at) || (user && !ownerAccepts(user, rt.created_at))) {
      throw invalidGrant('refresh token has been revoked', `client ${client.client_id} or user ${rt.user_id ?? '-'} ended its sessions`);
    }
    // RFC 6749 §6: the new scope may narrow the original, never widen it.
    const scope = grantScope(params.scope, rt.scope, { forUser: rt.user_id !== null });
    const resource = resourceOfGrant(client, rt.resource, params.resource);
    const signin = user ? await signInOf(tokens, rt.family_id, scope) : undefined;
    return {
      user, scope, resource, mayRefresh: true,
      ...(reissued ? { reissued } : { rotated: rt }),
      ...(signin ? { signin } : {}),
    };
  },
});

/**
 * OIDC Core §12.2: refreshing a grant made by a browser sign-in, with `openid` still in the
 * scope, yields a new id_token about that same sign-in (its family keeps auth_time, acr and
 * sid), without a nonce. A password grant's family has no sign-in: no id_token.
 */
async function signInOf(tokens: Pick<TokenRepo, 'findFamily'>, familyId: string, scope: string): Promise<SignIn | undefined> {
  if (!parseScope(scope).includes('openid')) return undefined;
  const family = await tokens.findFamily(familyId);
  if (!family || family.auth_time === null) return undefined;
  return { sid: family.sid, auth_time: family.auth_time, acr: family.acr, nonce: null };
}

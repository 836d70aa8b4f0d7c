// RFC 6749 §6 with RFC 9700 §4.14.2 rotation: each refresh token works once; presenting
// one that was already rotated revokes its whole family.
import { invalidGrant, invalidRequest, invalidTarget } from '../errors.js';
import { hashToken } from '../secrets.js';
import { grantScope } from '../scope.js';
import { ownerAccepts } from '../sessions.js';
import type { Grant } from './index.js';
import { checkResource } from './resource.js';

export const refreshTokenGrant: Grant = {
  type: 'refresh_token',
  params: ['refresh_token', 'scope', 'resource'],
  async handle({ client, params, store, now }) {
    const presented = params.refresh_token;
    if (!presented) throw invalidRequest('refresh_token is required');
    const rt = await store.tokens.findRefresh(hashToken(presented));
    // Both count as guesses against the client (RFC 6819 §4.5.3, core/throttle.ts).
    if (!rt) throw invalidGrant('refresh token is invalid', undefined, 'unknown_token');
    // RFC 6749 §6: the refresh token is bound to the client it was issued to.
    if (rt.client_id !== client.client_id) throw invalidGrant('refresh token was not issued to this client', undefined, 'unknown_token');
    if (rt.family_revoked_at !== null) throw invalidGrant('refresh token has been revoked');
    if (rt.used_at !== null) {
      // RFC 9700 §4.14.2: reuse of a rotated token means it leaked; kill the family.
      await store.tokens.revokeFamily(rt.family_id, now);
      throw invalidGrant('refresh token has already been used', `reuse detected, family ${rt.family_id} revoked`);
    }
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
    let resource = rt.resource;
    if (params.resource !== undefined && params.resource !== '') {
      resource = checkResource(client, params.resource);
      if (rt.resource !== null && resource !== rt.resource) throw invalidTarget('resource differs from the original grant');
    }
    return { user, scope, resource, rotated: rt, mayRefresh: true };
  },
};

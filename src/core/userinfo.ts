// The OpenID Connect UserInfo endpoint (OIDC Core §5.3): the claims about the user an
// access token with `openid` in its scope speaks for, by scope (§5.4).
import { insufficientScope, invalidToken } from './errors.js';
import type { InspectedToken } from './inspect.js';
import { parseScope } from './scope.js';
import type { User } from './types.js';

/** OIDC Core §5.4 and §11: the scopes with a meaning of their own in OpenID Connect. */
export const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

/** OIDC Core §5.4: the claims each scope asks for, as far as a user record has them. */
export const SCOPE_CLAIMS = {
  profile: ['name', 'given_name', 'family_name', 'picture', 'locale', 'preferred_username', 'updated_at'],
  email: ['email', 'email_verified'],
} as const;

/** Every claim userinfo may answer (`claims_supported` in discovery). */
export const USERINFO_CLAIMS: readonly string[] = ['sub', ...SCOPE_CLAIMS.profile, ...SCOPE_CLAIMS.email];

/** OIDC Core §5.3.2: `sub` always, then the granted scopes' claims; a claim without a value is left out (§5.3.2). */
export function userinfoClaims(user: User, scope: string): Record<string, unknown> {
  const scopes = parseScope(scope);
  const claims: Record<string, unknown> = { sub: user.id };
  const put = (name: string, value: unknown) => { if (value !== null && value !== undefined) claims[name] = value; };
  if (scopes.includes('profile')) {
    put('name', user.name);
    put('given_name', user.given_name);
    put('family_name', user.family_name);
    put('picture', user.picture);
    put('locale', user.locale);
    put('preferred_username', user.username);
    // §5.1: seconds since the epoch of the last change to the user's information.
    put('updated_at', user.updated_at);
  }
  if (scopes.includes('email') && user.email !== null) {
    put('email', user.email);
    put('email_verified', user.email_verified);
  }
  return claims;
}

/**
 * The answer to a presented access token, read back by the inspector (core/inspect.ts):
 * anything but an active access token of a user is invalid_token (RFC 6750 §3.1, 401); one
 * without `openid` is insufficient_scope (403).
 */
export function userinfoFor(token: InspectedToken | null): Record<string, unknown> {
  if (!token) throw invalidToken('the access token is invalid');
  if (token.kind !== 'access_token') throw invalidToken('the access token is invalid', { detail: 'a refresh token was presented' });
  if (!token.active) throw invalidToken('the access token is expired or revoked');
  if (!token.user) throw invalidToken('the access token was not issued for a user');
  if (!parseScope(token.scope).includes('openid')) throw insufficientScope('the access token does not have the openid scope', 'openid');
  return userinfoClaims(token.user, token.scope);
}

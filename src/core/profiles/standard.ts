// RFC 9068 §2.2: the JWT access token claim set.
import type { ClaimProfile } from './index.js';

export const standardProfile: ClaimProfile = {
  typ: 'at+jwt',
  claims: (c) => {
    const claims: Record<string, unknown> = {
      iss: c.issuer,
      sub: c.user ? c.user.id : c.client.client_id,
      aud: c.aud,
      exp: c.exp,
      iat: c.iat,
      nbf: c.iat,
      jti: c.jti,
      client_id: c.client.client_id,
      scope: c.scope,
    };
    if (c.user) {
      if (c.user.participant_code) claims.participant_code = c.user.participant_code;
      if (c.user.roles.length > 0) claims.roles = c.user.roles;
    }
    return claims;
  },
};

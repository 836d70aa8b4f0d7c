// RFC 9068 JWT access tokens. Stored only when part of a refresh family, keyed by jti,
// so revoking the family makes the JWT read inactive on introspection.
import { signJwt } from '../jwt.js';
import type { AccessTokenFormat } from './index.js';

export const jwtFormat: AccessTokenFormat = {
  signed: true,
  mint(m) {
    if (!m.key) throw new Error('jwt format needs a signing key');
    const token = signJwt(m.key, m.profile.typ, m.claims);
    const record = m.familyId === null ? null : {
      id: m.jti, format: 'jwt' as const, family_id: m.familyId, client_id: m.clientId, user_id: m.userId,
      scope: m.scope, claims: '{}', expires_at: m.exp, created_at: m.iat,
    };
    return { token, record };
  },
};

// Opaque access tokens: 256 random bits; the store keeps only the SHA-256 and the claims
// that introspection (RFC 7662) answers with.
import { hashToken, randomToken } from '../secrets.js';
import type { AccessTokenFormat } from './index.js';

export const opaqueFormat: AccessTokenFormat = {
  signed: false,
  mint(m) {
    const token = randomToken(32);
    return {
      token,
      record: {
        id: hashToken(token), format: 'opaque', family_id: m.familyId, client_id: m.clientId, user_id: m.userId,
        scope: m.scope, claims: JSON.stringify(m.claims), expires_at: m.exp, created_at: m.iat,
      },
    };
  },
};

// RFC 9068 JWT access tokens. Nothing is stored: a JWT from a refresh family names the
// family in its `sid` claim, so revoking the family makes it read inactive on
// introspection (core/inspect.ts); a JWT revoked on its own gets a row then.
import { signJwt } from '../jwt.js';
import type { AccessTokenFormat } from './index.js';

export const jwtFormat: AccessTokenFormat = {
  signed: true,
  async mint(m) {
    if (!m.key) throw new Error('jwt format needs a signing key');
    return { token: await signJwt(m.key, m.profile.typ, m.claims), record: null };
  },
};

// WSO2 APK's inbuilt IdP token (dialect `apk`): a plain `JWT`, RS256, with the client id
// both as `sub` and as APK's own `clientId` claim, and scope `default` when none was asked.
import type { ClaimProfile } from './index.js';

export const apkProfile: ClaimProfile = {
  typ: 'JWT',
  defaultAlg: 'RS256',
  defaultScope: 'default',
  claims: (c) => ({
    iss: c.issuer,
    sub: c.client.client_id,
    exp: c.exp,
    nbf: c.iat,
    iat: c.iat,
    jti: c.jti,
    clientId: c.client.client_id,
    scope: c.scope,
  }),
};

// The OpenID Connect id_token (OIDC Core §2, §3.1.3.6): who signed in, when and how, for
// the client. Issued by the token endpoint beside the access token when the grant came from
// a browser sign-in and `openid` is in its scope (core/token-service.ts).
import { createHash } from 'node:crypto';
import type { SignIn } from './grants/index.js';
import { signJwt } from './jwt.js';
import type { KeyManager } from './keys.js';
import type { Client, IdTokenAlg, User } from './types.js';

/** OIDC Core §15.1: RS256 is what every relying party can verify; ES256 on request (Registration §2). */
export const DEFAULT_ID_TOKEN_ALG: IdTokenAlg = 'RS256';

export const idTokenAlg = (client: Client): IdTokenAlg => client.id_token_signed_response_alg ?? DEFAULT_ID_TOKEN_ALG;

/**
 * OIDC Core §3.1.3.6 at_hash: the left half of the hash of the access token's ASCII octets,
 * base64url; the hash is the one of the signing algorithm (SHA-256 for RS256 and ES256).
 */
export function atHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest().subarray(0, 16).toString('base64url');
}

/** The claims an id_token may carry (idTokenClaims), for `claims_supported` in discovery. */
export const ID_TOKEN_CLAIMS: readonly string[] = ['iss', 'sub', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'acr', 'azp', 'at_hash', 'sid'];

export interface IdTokenInput {
  issuer: string;
  client: Client;
  user: User;
  signin: SignIn;
  accessToken: string;
  iat: number;
  ttl: number;
}

/** OIDC Core §2 claims; sid is the browser session's (Front-Channel Logout §2.1), never a token family. */
export function idTokenClaims(i: IdTokenInput): Record<string, unknown> {
  const claims: Record<string, unknown> = {
    iss: i.issuer,
    sub: i.user.id,
    aud: i.client.client_id,
    exp: i.iat + i.ttl,
    iat: i.iat,
    auth_time: i.signin.auth_time,
    // OIDC Core §2: azp names the party the token was issued to.
    azp: i.client.client_id,
    at_hash: atHash(i.accessToken),
  };
  if (i.signin.nonce !== null) claims.nonce = i.signin.nonce;
  if (i.signin.acr !== null) claims.acr = i.signin.acr;
  if (i.signin.sid !== null) claims.sid = i.signin.sid;
  return claims;
}

/** Signs an id_token with the client's algorithm; a first key of it is made on demand. */
export async function mintIdToken(keys: KeyManager, i: IdTokenInput): Promise<string> {
  const alg = idTokenAlg(i.client);
  const key = keys.currentSync(alg) ?? (await keys.current(alg));
  // RFC 7519 §5.1: typ JWT; not at+jwt, so it can never pass for an access token.
  return signJwt(key, 'JWT', idTokenClaims(i));
}

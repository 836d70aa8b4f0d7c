// Compact JWS signing on node:crypto directly: the header of each (key, typ) is encoded
// once, and signing is synchronous, which keeps the token endpoint's hot path short.
// Verification goes through jose (core/introspection.ts, tests).
import { constants, sign } from 'node:crypto';
import type { SigningKey } from './keys.js';

const headerCache = new Map<string, string>();

function encodedHeader(key: SigningKey, typ: string): string {
  const cacheKey = `${key.kid}|${typ}`;
  let h = headerCache.get(cacheKey);
  if (!h) {
    h = Buffer.from(JSON.stringify({ alg: key.alg, typ, kid: key.kid })).toString('base64url');
    headerCache.set(cacheKey, h);
  }
  return h;
}

export function signJwt(key: SigningKey, typ: string, payload: Record<string, unknown>): string {
  const input = `${encodedHeader(key, typ)}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  const data = Buffer.from(input);
  let sig: Buffer;
  switch (key.alg) {
    case 'ES256': sig = sign('sha256', data, { key: key.privateKey, dsaEncoding: 'ieee-p1363' }); break;
    case 'RS256': sig = sign('sha256', data, key.privateKey); break;
    case 'PS256':
      // RFC 7518 §3.5: salt length equals the hash output (32 bytes for SHA-256).
      sig = sign('sha256', data, { key: key.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
      break;
    case 'EdDSA': sig = sign(null, data, key.privateKey); break;
  }
  return `${input}.${sig.toString('base64url')}`;
}

/** A JWT has three base64url segments; anything else is treated as an opaque token. */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}

// Compact JWS signing on node:crypto directly: the header of each (key, typ) is encoded
// once and the signature is computed off the event loop.
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

/**
 * Signs with the callback form of crypto.sign, which runs on libuv's threadpool: signing
 * (a third of the client_credentials path) then uses the other cores instead of blocking
 * the event loop.
 */
export function signJwt(key: SigningKey, typ: string, payload: Record<string, unknown>): Promise<string> {
  const input = `${encodedHeader(key, typ)}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  const data = Buffer.from(input);
  const done = (resolve: (s: string) => void, reject: (e: Error) => void) => (err: Error | null, sig: Buffer) =>
    (err ? reject(err) : resolve(`${input}.${sig.toString('base64url')}`));
  return new Promise((resolve, reject) => {
    const cb = done(resolve, reject);
    switch (key.alg) {
      case 'ES256': sign('sha256', data, { key: key.privateKey, dsaEncoding: 'ieee-p1363' }, cb); break;
      case 'RS256': sign('sha256', data, key.privateKey, cb); break;
      case 'PS256':
        // RFC 7518 §3.5: salt length equals the hash output (32 bytes for SHA-256).
        sign('sha256', data, { key: key.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, cb);
        break;
      case 'EdDSA': sign(null, data, key.privateKey, cb); break;
    }
  });
}

/** A JWT has three base64url segments; anything else is treated as an opaque token. */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}

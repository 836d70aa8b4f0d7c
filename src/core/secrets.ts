// Token and client-secret handling. Tokens are stored only as SHA-256 hashes; client
// secrets as a salted SHA-256 when they carry >= 128 bits of entropy (a generated secret:
// a slow hash adds nothing there and would make client_credentials slow), else argon2id.
import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { hashPassword, verifyPassword } from './password.js';

/** 256 bits of randomness, base64url (43 chars). RFC 6749 §10.10 asks for unguessable tokens. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** The lookup key of a token in the store: SHA-256, base64url. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

// The key of log fingerprints. Module state on purpose: it belongs to the installation, not
// to a request, and is set once at start (runtime.ts) before anything is served; threading
// it through every caller of client authentication and the password grant for a log line
// would put it in half the core. Until set (unit tests, admin commands), a random
// per-process key: still keyed, only not stable.
let fingerprintKey: Buffer = randomBytes(32);

/**
 * Derives the log-fingerprint key from the secret key (HKDF, RFC 5869, with its own label),
 * so every instance and restart sharing the secret key writes the same fingerprint for the
 * same value, and the log lines correlate.
 */
export function useFingerprintKey(secretKey: string): void {
  fingerprintKey = Buffer.from(hkdfSync('sha256', secretKey, '', 'tessera log fingerprints v1', 32));
}

/**
 * What a log line may say about a presented identifier that did not match anything: a
 * user may have typed a secret into the username or client_id field, so never the value,
 * nor a plain hash of it (a word list would recover a password from that): an HMAC under
 * the installation's key.
 */
export function fingerprint(value: string): string {
  return `hmac:${createHmac('sha256', fingerprintKey).update(value).digest('hex').slice(0, 12)}`;
}

export function generateClientSecret(): string {
  return randomToken(32);
}

/**
 * A conservative entropy estimate: length × log2(distinct symbols used). A random
 * 43-char base64url secret scores ~250 bits, a UUID ~147, "secret" ~14.
 */
export function estimateEntropyBits(secret: string): number {
  const distinct = new Set(secret).size;
  return secret.length * Math.log2(Math.max(distinct, 2));
}

const FAST_PREFIX = 'sha256$';

export async function hashClientSecret(secret: string): Promise<string> {
  if (estimateEntropyBits(secret) >= 128) {
    const salt = randomBytes(16).toString('base64url');
    return `${FAST_PREFIX}${salt}$${createHmac('sha256', salt).update(secret).digest('base64url')}`;
  }
  return hashPassword(secret);
}

/** Whether a stored client-secret hash is argon2id (slow) rather than the salted SHA-256. */
export function isSlowSecretHash(stored: string): boolean {
  return !stored.startsWith(FAST_PREFIX);
}

export async function verifyClientSecret(secret: string, stored: string): Promise<boolean> {
  if (stored.startsWith(FAST_PREFIX)) {
    const [, salt, digest] = stored.split('$');
    if (!salt || !digest) return false;
    const got = createHmac('sha256', salt).update(secret).digest();
    const want = Buffer.from(digest, 'base64url');
    return got.length === want.length && timingSafeEqual(got, want);
  }
  return verifyPassword(stored, secret);
}

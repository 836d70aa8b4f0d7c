// What the sign-in pages carry between requests without server state (any instance may
// answer the next step; they share only the database): the validated authorization request,
// sealed with AES-256-GCM under a key derived from the secret key (HKDF, RFC 5869, its own
// label), with an expiry, and bound to the browser's CSRF cookie, so a sealed form copied
// into another browser does not open. CSRF tokens are an HMAC of that cookie (the signed
// double-submit cookie pattern): a page of another browser carries another token.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

export class FormSeal {
  readonly #enc: Buffer;
  readonly #mac: Buffer;
  constructor(secretKey: string) {
    this.#enc = Buffer.from(hkdfSync('sha256', secretKey, '', 'tessera sign-in form seal v1', 32));
    this.#mac = Buffer.from(hkdfSync('sha256', secretKey, '', 'tessera sign-in csrf v1', 32));
  }

  /** `payload` sealed until `exp` (epoch seconds), openable only with the same `bind` (the CSRF cookie). */
  seal(payload: unknown, bind: string, exp: number): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.#enc, iv).setAAD(Buffer.from(bind));
    const body = Buffer.concat([c.update(JSON.stringify({ exp, p: payload }), 'utf8'), c.final()]);
    return `s1.${Buffer.concat([iv, c.getAuthTag(), body]).toString('base64url')}`;
  }

  /** The payload; null when it does not decrypt (tampered, another browser, another key) or has expired. */
  open(sealed: string | undefined, bind: string | undefined, now: number): unknown {
    if (!sealed || !bind || !sealed.startsWith('s1.') || sealed.length > 65536) return null;
    const raw = Buffer.from(sealed.slice(3), 'base64url');
    if (raw.length < 29) return null;
    try {
      const d = createDecipheriv('aes-256-gcm', this.#enc, raw.subarray(0, 12)).setAAD(Buffer.from(bind));
      d.setAuthTag(raw.subarray(12, 28));
      const doc = JSON.parse(Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8')) as { exp: number; p: unknown };
      return typeof doc.exp === 'number' && doc.exp >= now ? doc.p : null;
    } catch {
      return null;
    }
  }

  /** The csrf_token of the forms shown to the browser holding this CSRF cookie. */
  csrfToken(cookie: string): string {
    return createHmac('sha256', this.#mac).update(cookie).digest('base64url');
  }

  /** Constant-time check of a form's csrf_token against the browser's CSRF cookie. */
  checkCsrf(cookie: string | undefined, token: string | undefined): boolean {
    if (!cookie || !token) return false;
    const want = Buffer.from(this.csrfToken(cookie));
    const got = Buffer.from(token);
    return got.length === want.length && timingSafeEqual(got, want);
  }
}

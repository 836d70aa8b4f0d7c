// The console's sign-in state, kept in cookies on the admin origin and nowhere else (any
// instance can answer any request; they share only the database and the secret key):
// - `tessera_console_csrf`: random; forms carry an HMAC of it (web/seal.ts, signed
//   double-submit), and the two sealed cookies below open only next to it;
// - `tessera_console_login`: the pending sign-in's state, nonce and PKCE verifier (RFC 6749
//   §10.12, OIDC Core §3.1.2.1, RFC 7636 §4.1), sealed, for ten minutes;
// - `tessera_console_session`: the admin access token, sealed with AES-256-GCM (the browser
//   holds it but cannot read it), expiring with the token. SameSite=Strict.
// All HttpOnly; over https Secure with the __Host- prefix (RFC 6265bis §4.1.3.2).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Tessera } from '../../runtime.js';
import { cookieValue } from '../../web/cookies.js';

export type ConsoleCookie = 'csrf' | 'login' | 'session';

/** What a signed-in console holds: the token that every admin call is made with. */
export interface ConsoleSession {
  token: string;
  /** Epoch seconds: the access token's expiry, and so the session's. */
  exp: number;
  user_id: string;
  username: string;
}

/** A sign-in in progress (between /admin/login and /admin/callback). */
export interface PendingLogin {
  state: string;
  nonce: string;
  verifier: string;
}

export const LOGIN_TTL_SECONDS = 600;
const now = () => Math.floor(Date.now() / 1000);
export const random = (bytes = 32) => randomBytes(bytes).toString('base64url');

export class ConsoleCookies {
  constructor(private readonly t: Tessera, private readonly secure: boolean) {}

  name(c: ConsoleCookie): string {
    return `${this.secure ? '__Host-' : ''}tessera_console_${c}`;
  }

  read(req: FastifyRequest, c: ConsoleCookie): string | undefined {
    // A sealed value is `s1.` and base64url (web/seal.ts).
    return cookieValue(req, this.name(c), /^[A-Za-z0-9_.-]{1,4000}$/);
  }

  set(reply: FastifyReply, c: ConsoleCookie, value: string, maxAge: number | null): void {
    // The session cookie is never sent on a request another site starts (CSRF defence in
    // depth); the others must reach /admin/callback, a navigation from the public listener.
    const attrs = [`${this.name(c)}=${value}`, 'Path=/', 'HttpOnly', `SameSite=${c === 'session' ? 'Strict' : 'Lax'}`];
    if (this.secure) attrs.push('Secure');
    if (maxAge !== null) attrs.push(`Max-Age=${maxAge}`);
    // Fastify appends each Set-Cookie to those already set.
    reply.header('set-cookie', attrs.join('; '));
  }

  clear(reply: FastifyReply, c: ConsoleCookie): void {
    this.set(reply, c, '', 0);
  }

  /** The browser's CSRF cookie, made now when it has none. */
  csrfCookie(req: FastifyRequest, reply: FastifyReply): string {
    const have = this.read(req, 'csrf');
    if (have && /^[A-Za-z0-9_-]{43}$/.test(have)) return have;
    const fresh = random();
    this.set(reply, 'csrf', fresh, null);
    return fresh;
  }

  /** The hidden csrf_token field's value for this browser (its own label: not a sign-in page's). */
  csrfToken(csrf: string): string {
    return this.t.formSeal.csrfToken(`console:${csrf}`);
  }

  checkCsrf(req: FastifyRequest, token: unknown): boolean {
    const csrf = this.read(req, 'csrf');
    return typeof token === 'string' && csrf !== undefined && this.t.formSeal.checkCsrf(`console:${csrf}`, token);
  }

  // Each sealed cookie is bound to the CSRF cookie and to its own purpose (the AAD), so a
  // sign-in page's sealed form never opens as a console session, nor one cookie as another.
  sealLogin(reply: FastifyReply, csrf: string, login: PendingLogin): void {
    this.set(reply, 'login', this.t.formSeal.seal(login, `console-login:${csrf}`, now() + LOGIN_TTL_SECONDS), LOGIN_TTL_SECONDS);
  }

  openLogin(req: FastifyRequest): PendingLogin | null {
    const p = this.t.formSeal.open(this.read(req, 'login'), `console-login:${this.read(req, 'csrf') ?? ''}`, now()) as PendingLogin | null;
    return p && typeof p.state === 'string' && typeof p.nonce === 'string' && typeof p.verifier === 'string' ? p : null;
  }

  sealSession(reply: FastifyReply, csrf: string, s: ConsoleSession): void {
    this.set(reply, 'session', this.t.formSeal.seal(s, `console-session:${csrf}`, s.exp), Math.max(0, s.exp - now()));
  }

  /** The signed-in session; null when there is none, it was tampered with, or it expired. */
  session(req: FastifyRequest): ConsoleSession | null {
    const s = this.t.formSeal.open(this.read(req, 'session'), `console-session:${this.read(req, 'csrf') ?? ''}`, now()) as ConsoleSession | null;
    return s && typeof s.token === 'string' && typeof s.exp === 'number' && typeof s.username === 'string' ? s : null;
  }
}

/** Constant-time string equality (the state parameter). */
export function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

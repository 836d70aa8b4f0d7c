// The steps of a browser sign-in, shared by the authorization, login and consent routes:
// what the next page is for a validated request (core/authorize.ts decide), and how the
// answer goes back to the client (a redirect, or the form_post page). Nothing is kept on
// the server between steps but the session and consent rows: the request travels sealed.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { decide, queryRedirect, responseParams, type AuthorizationRequest } from '../core/authorize.js';
import { issueAuthorizationCode } from '../core/authorization-code.js';
import { currentSession, type SignedIn } from '../core/browser-session.js';
import { OAuthError } from '../core/errors.js';
import { randomToken } from '../core/secrets.js';
import type { Client } from '../core/types.js';
import type { Tessera } from '../runtime.js';
import { readCookie, setCookie } from './cookies.js';
import { Pages } from './pages.js';
import type { FormSeal } from './seal.js';

/** How long a sealed form stays usable: time to type a password, not to keep a tab for a day. */
export const FORM_TTL_SECONDS = 600;

/** What a sealed form carries: the request to continue, and for consent the session it was shown in. */
export type Sealed =
  | { k: 'login'; r: AuthorizationRequest }
  | { k: 'login'; account: true }
  | { k: 'consent'; r: AuthorizationRequest; sid: string };

/** What a login page leads to: an authorization request, or the account page. */
export type LoginTarget = { request: AuthorizationRequest; client: Client } | { account: true };

export interface Web {
  t: Tessera;
  pages: Pages;
  seal: FormSeal;
}

export function makeWeb(t: Tessera): Web {
  return { t, pages: new Pages(t.config.branding), seal: t.formSeal };
}

/** The error body of the sign-in routes (a malformed body, a repeated parameter, the store down): a page. */
export const pageErrors = (w: Web) => (reply: FastifyReply, e: OAuthError): FastifyReply =>
  w.pages.error(reply, e, e.status >= 500 ? 'error_busy' : 'error_generic');

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** Cookies get Secure and the __Host- prefix when the server is reached over https (its issuer). */
export const secure = (w: Web): boolean => w.t.config.issuer.startsWith('https:');

export function signedIn(w: Web, req: FastifyRequest, now: number): Promise<SignedIn | null> {
  return currentSession(w.t.store, readCookie(req, 'session', secure(w)), now);
}

/** A form that cannot be trusted (no CSRF token, another browser's, or a broken or expired seal). */
export function formExpired(w: Web, reply: FastifyReply, status: 400 | 403): FastifyReply {
  return w.pages.error(reply, new OAuthError('invalid_request', 'the form has expired or did not come from this browser', { status }), 'error_form_expired');
}

/** The CSRF check of every POST form: 403 when it fails. Returns the CSRF cookie. */
export function checkForm(w: Web, req: FastifyRequest, body: Record<string, string>): string | null {
  const cookie = readCookie(req, 'csrf', secure(w));
  return w.seal.checkCsrf(cookie, body.csrf_token) ? cookie! : null;
}

/** The browser's CSRF cookie, made (and set) when it has none. */
export function csrfCookie(w: Web, req: FastifyRequest, reply: FastifyReply): string {
  const have = readCookie(req, 'csrf', secure(w));
  if (have) return have;
  const made = randomToken(32);
  setCookie(reply, 'csrf', made, secure(w), null);
  return made;
}

export function loginPage(w: Web, reply: FastifyReply, csrf: string, now: number, v: LoginTarget, extra: { error?: string; status?: number; username?: string | null } = {}): FastifyReply {
  const sealed = w.seal.seal('account' in v ? { k: 'login', account: true } : { k: 'login', r: v.request }, csrf, now + FORM_TTL_SECONDS);
  return w.pages.login(reply, {
    client: 'account' in v ? '' : v.client.client_name ?? v.client.client_id,
    account: 'account' in v,
    csrf: w.seal.csrfToken(csrf), sealed,
    username: extra.username !== undefined ? extra.username : 'account' in v ? null : v.request.login_hint,
    error: extra.error, status: extra.status ?? 200,
    formTargets: 'account' in v ? [] : [v.request.redirect_uri],
  });
}

/** RFC 6749 §4.1.2 / §4.1.2.1 back to the client: a redirect (303 after a form) or the form_post page. */
export function toClient(w: Web, reply: FastifyReply, r: Pick<AuthorizationRequest, 'redirect_uri' | 'response_mode' | 'state'>, result: { code: string } | { error: OAuthError }, afterForm: boolean): FastifyReply {
  const params = responseParams(w.t.config.issuer, r.state, result);
  if (r.response_mode === 'form_post') return w.pages.formPost(reply, r.redirect_uri, params);
  return reply.status(afterForm ? 303 : 302)
    .header('cache-control', 'no-store').header('referrer-policy', 'no-referrer')
    .header('location', queryRedirect(r.redirect_uri, params)).send();
}

/**
 * The next step for a request once it is valid: the login page, the consent page, an error
 * back to the client (prompt=none), or a code.
 */
export async function proceed(
  w: Web, req: FastifyRequest, reply: FastifyReply,
  s: { request: AuthorizationRequest; client: Client; session: SignedIn | null; justAuthenticated: boolean; now: number; afterForm: boolean },
): Promise<FastifyReply> {
  const { request, client, session, now } = s;
  const consent = session && !client.first_party ? await w.t.store.consents.get(session.user.id, client.client_id) : null;
  const step = decide({
    request, client, authTime: session ? session.session.auth_time : null, consented: consent?.scope ?? null,
    justAuthenticated: s.justAuthenticated, justConsented: false, now,
  });
  switch (step.next) {
    case 'error': return toClient(w, reply, request, { error: step.error }, s.afterForm);
    case 'login': return loginPage(w, reply, csrfCookie(w, req, reply), now, { request, client });
    case 'consent': {
      const csrf = csrfCookie(w, req, reply);
      const sealed = w.seal.seal({ k: 'consent', r: request, sid: session!.session.sid } satisfies Sealed, csrf, now + FORM_TTL_SECONDS);
      return w.pages.consent(reply, { client, username: session!.user.username, scope: request.scope, csrf: w.seal.csrfToken(csrf), sealed, formTargets: [request.redirect_uri] });
    }
    case 'issue': return issue(w, reply, request, session!, now, s.afterForm);
  }
}

/** The code, stored by hash with everything the token endpoint checks (RFC 6749 §4.1.3, RFC 7636 §4.6). */
export async function issue(w: Web, reply: FastifyReply, r: AuthorizationRequest, s: SignedIn, now: number, afterForm: boolean): Promise<FastifyReply> {
  const code = await issueAuthorizationCode(w.t.store.codes, {
    client_id: r.client_id, user_id: s.user.id, redirect_uri: r.redirect_uri, redirect_uri_given: r.redirect_uri_given, scope: r.scope, resource: r.resource,
    code_challenge: r.code_challenge, code_challenge_method: r.code_challenge_method, nonce: r.nonce,
    auth_time: s.session.auth_time, acr: s.session.acr, sid: s.session.sid,
  }, w.t.config.authorization_code_ttl, now);
  return toClient(w, reply, r, { code }, afterForm);
}

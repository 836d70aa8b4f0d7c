// The authorization request (RFC 6749 §4.1.1, OIDC Core §3.1.2.1), framework-free: which
// client and redirect URI it is for, and whether it is well-formed. Until the redirect URI
// is trusted, a failure is shown to the user and never redirected (RFC 6749 §4.1.2.1: no
// open redirector); after, it goes back to the client.
import { OAuthError, type OAuthErrorCode } from './errors.js';
import { checkResource } from './grants/resource.js';
import { isValidCodeChallenge } from './pkce.js';
import { grantScope, parseScope } from './scope.js';
import type { ClientRepo } from './store.js';
import type { Client, PkceMethod } from './types.js';

export type ResponseMode = 'query' | 'form_post';
export type Prompt = 'none' | 'login' | 'consent';

/** A validated request: what the login and consent steps carry (sealed) until the code is issued. */
export interface AuthorizationRequest {
  client_id: string;
  /** Where the response goes: as sent, or the one registered URI when it was omitted (§3.1.2.3). */
  redirect_uri: string;
  /** Whether the request named it: then the token request must repeat it (§4.1.3). */
  redirect_uri_given: boolean;
  response_mode: ResponseMode;
  /** The scope to grant (space-separated), within client.scope. */
  scope: string;
  state: string | null;
  nonce: string | null;
  code_challenge: string | null;
  code_challenge_method: PkceMethod | null;
  resource: string | null;
  prompt: Prompt[];
  /** OIDC Core §3.1.2.1: seconds since the last active authentication; null: no limit. */
  max_age: number | null;
  login_hint: string | null;
}

/** Where a failure goes: shown on a page (the redirect URI is not trusted) or sent back. */
export type Failure =
  | { to: 'page'; error: OAuthError; about: 'client' | 'redirect_uri' }
  | { to: 'client'; error: OAuthError; redirect_uri: string; response_mode: ResponseMode; state: string | null };

export type Validated = { ok: true; request: AuthorizationRequest; client: Client } | { ok: false; failure: Failure };

/** Parameters as they arrive: a repeated one is an array (query string), an empty one is omitted (§3.1). */
export type RawParams = Record<string, string | string[] | undefined>;

const err = (code: OAuthErrorCode, description: string) => new OAuthError(code, description);

/** RFC 7636 §4.1: 43-128 characters of [A-Z a-z 0-9 - . _ ~]. */
const PKCE_CHALLENGE = /^[A-Za-z0-9._~-]{43,128}$/;

/**
 * RFC 8252 §7.3: a loopback redirect's port may differ from the registered one. Compared as
 * strings with the port taken out (no URL normalisation an attacker could play with); the
 * host must be the registered one (127.0.0.1, [::1], or localhost when registered so).
 */
const LOOPBACK = /^http:\/\/(127\.0\.0\.1|\[::1\]|localhost)(?::(\d{1,5}))?([/?].*)?$/;

/** A port a socket can have (RFC 6335 §6: 1-65535); 0 or 65536+ would redirect to an invalid URL. */
const realPort = (p: string | undefined) => p === undefined || (Number(p) >= 1 && Number(p) <= 65535);

function withoutPort(uri: string): string | null {
  const m = LOOPBACK.exec(uri);
  return m && realPort(m[2]) ? `http://${m[1]}${m[3] ?? ''}` : null;
}

/** RFC 6749 §3.1.2.3: simple string comparison, plus the loopback port rule. */
export function matchRedirectUri(sent: string, registered: readonly string[]): boolean {
  if (registered.includes(sent)) return true;
  const bare = withoutPort(sent);
  return bare !== null && registered.some((r) => withoutPort(r) === bare);
}

function single(raw: RawParams, dupes: Set<string>): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(raw)) {
    if (Array.isArray(v)) {
      const given = v.filter((x) => x !== '');
      if (given.length > 1) dupes.add(k);
      if (given[0] !== undefined) out[k] = given[0];
    } else if (typeof v === 'string' && v !== '') out[k] = v;
  }
  return out;
}

export function parsePrompt(v: string | undefined): Prompt[] {
  const values = parseScope(v);
  for (const p of values) if (p !== 'none' && p !== 'login' && p !== 'consent' && p !== 'select_account') throw err('invalid_request', `prompt value ${JSON.stringify(p.slice(0, 32))} is not supported`);
  // OIDC Core §3.1.2.1: none with any other value is an error.
  if (values.includes('none') && values.length > 1) throw err('invalid_request', 'prompt=none cannot be combined with other values');
  // select_account: one account per browser here, so it asks nothing more.
  return values.filter((p): p is Prompt => p !== 'select_account');
}

function parseMaxAge(v: string | undefined): number | null {
  if (v === undefined) return null;
  if (!/^\d{1,10}$/.test(v)) throw err('invalid_request', 'max_age must be a non-negative integer');
  return Number(v);
}

/** RFC 7636 §4.3-4.4 and the client's rules: S256, or plain when allowed; public clients must send one. */
function pkce(client: Client, challenge: string | undefined, method: string | undefined): { code_challenge: string | null; code_challenge_method: PkceMethod | null } {
  if (challenge === undefined) {
    if (method !== undefined) throw err('invalid_request', 'code_challenge_method without code_challenge');
    if (client.token_endpoint_auth_method === 'none') throw err('invalid_request', 'code_challenge is required for public clients (PKCE, RFC 7636)');
    return { code_challenge: null, code_challenge_method: null };
  }
  if (!PKCE_CHALLENGE.test(challenge)) throw err('invalid_request', 'code_challenge must be 43-128 characters of A-Z a-z 0-9 - . _ ~');
  // §4.3: absent means plain.
  const m = method ?? 'plain';
  if (m === 'S256') {
    // §4.2: an S256 challenge is a base64url SHA-256: exactly 43 characters; any other could never verify.
    if (!isValidCodeChallenge(challenge, 'S256')) throw err('invalid_request', 'an S256 code_challenge is 43 characters of base64url (RFC 7636 §4.2)');
    return { code_challenge: challenge, code_challenge_method: 'S256' };
  }
  if (m === 'plain') {
    if (!client.allow_plain_pkce) throw err('invalid_request', method === undefined ? 'code_challenge_method is required: send S256' : 'code_challenge_method plain is not allowed for this client; use S256');
    return { code_challenge: challenge, code_challenge_method: 'plain' };
  }
  throw err('invalid_request', 'code_challenge_method must be S256 or plain');
}

/** The authorization request checks, in the order that decides where a failure may go. */
export async function validateAuthorizationRequest(raw: RawParams, clients: Pick<ClientRepo, 'get'>): Promise<Validated> {
  const dupes = new Set<string>();
  const p = single(raw, dupes);
  const page = (about: 'client' | 'redirect_uri', d: string): Validated => ({ ok: false, failure: { to: 'page', error: err('invalid_request', d), about } });
  // RFC 6749 §3.1: a repeated parameter is invalid; who to tell depends on which.
  if (dupes.has('client_id') || dupes.has('redirect_uri')) {
    const which = dupes.has('client_id') ? 'client' : 'redirect_uri';
    return page(which, `parameter ${which === 'client' ? 'client_id' : 'redirect_uri'} is repeated`);
  }
  if (p.client_id === undefined) return page('client', 'client_id is missing');
  const client = await clients.get(p.client_id);
  if (!client || client.disabled) return page('client', 'the application (client_id) is unknown');
  let redirectUri = p.redirect_uri;
  if (redirectUri === undefined) {
    // §3.1.2.3: optional with one registered URI; OIDC Core §3.1.2.1 requires it always.
    if (client.redirect_uris.length !== 1) return page('redirect_uri', 'redirect_uri is missing');
    if (parseScope(p.scope).includes('openid')) return page('redirect_uri', 'redirect_uri is required for OpenID Connect requests');
    redirectUri = client.redirect_uris[0]!;
  } else if (!matchRedirectUri(redirectUri, client.redirect_uris)) {
    return page('redirect_uri', 'redirect_uri is not registered for this application');
  }

  // From here on, errors go back to the client (§4.1.2.1).
  const state = p.state ?? null;
  const modeOk = p.response_mode === undefined || p.response_mode === 'query' || p.response_mode === 'form_post';
  const response_mode: ResponseMode = p.response_mode === 'form_post' ? 'form_post' : 'query';
  const back = (e: OAuthError): Validated => ({ ok: false, failure: { to: 'client', error: e, redirect_uri: redirectUri, response_mode, state } });
  try {
    if (dupes.size > 0) throw err('invalid_request', `parameter ${[...dupes][0]!.slice(0, 64)} is repeated`);
    if (!modeOk) throw err('invalid_request', 'response_mode must be query or form_post');
    // OIDC Core §3.1.2.6 / §6: request objects are not supported.
    if (p.request !== undefined) throw err('request_not_supported', 'the request parameter is not supported');
    if (p.request_uri !== undefined) throw err('request_uri_not_supported', 'the request_uri parameter is not supported');
    if (p.response_type === undefined) throw err('invalid_request', 'response_type is missing');
    if (p.response_type !== 'code') throw err('unsupported_response_type', 'only response_type=code is supported');
    if (!client.grant_types.includes('authorization_code')) throw err('unauthorized_client', 'this application may not use the authorization code flow');
    const scope = grantScope(p.scope, client.scope, { forUser: true });
    const request: AuthorizationRequest = {
      client_id: client.client_id,
      redirect_uri: redirectUri,
      redirect_uri_given: p.redirect_uri !== undefined,
      response_mode,
      scope,
      state,
      nonce: p.nonce ?? null,
      ...pkce(client, p.code_challenge, p.code_challenge_method),
      resource: checkResource(client, p.resource),
      prompt: parsePrompt(p.prompt),
      max_age: parseMaxAge(p.max_age),
      login_hint: p.login_hint ?? null,
    };
    return { ok: true, request, client };
  } catch (e) {
    if (e instanceof OAuthError) return back(e);
    throw e;
  }
}

/** What the browser must do next for a validated request. */
export type Step =
  | { next: 'login' }
  | { next: 'consent' }
  | { next: 'issue' }
  | { next: 'error'; error: OAuthError };

export interface Situation {
  request: AuthorizationRequest;
  client: Client;
  /** The signed-in session's auth_time; null: nobody is signed in. */
  authTime: number | null;
  /** The scopes the user already allowed this client (remembered consent). */
  consented: string | null;
  /** The user has just signed in (or just consented) for this very request. */
  justAuthenticated: boolean;
  justConsented: boolean;
  now: number;
}

/** OIDC Core §3.1.2.1 prompt and max_age, and remembered consent: login, consent, or a code. */
export function decide(s: Situation): Step {
  const none = s.request.prompt.includes('none');
  const stale = s.request.max_age !== null && s.authTime !== null && s.now - s.authTime > s.request.max_age;
  const mustLogin = s.authTime === null || (!s.justAuthenticated && (s.request.prompt.includes('login') || stale || s.request.max_age === 0));
  if (mustLogin) return none ? { next: 'error', error: err('login_required', 'the user is not signed in') } : { next: 'login' };
  if (s.justConsented || s.client.first_party) return { next: 'issue' };
  const granted = new Set(parseScope(s.consented));
  const covered = parseScope(s.request.scope).every((x) => granted.has(x));
  if (s.request.prompt.includes('consent') || !covered) {
    return none ? { next: 'error', error: err('consent_required', 'the user has not allowed this application yet') } : { next: 'consent' };
  }
  return { next: 'issue' };
}

/**
 * The response parameters of a redirect back to the client (RFC 6749 §4.1.2 / §4.1.2.1):
 * always `iss` (RFC 9207 §2), `state` when it was sent.
 */
export function responseParams(issuer: string, state: string | null, result: { code: string } | { error: OAuthError }): [string, string][] {
  const out: [string, string][] = 'code' in result
    ? [['code', result.code]]
    : [['error', result.error.code], ['error_description', result.error.description]];
  if (state !== null) out.push(['state', state]);
  out.push(['iss', issuer]);
  return out;
}

/** §4.1.2: the parameters added to the redirect URI's query, keeping the query it has. */
export function queryRedirect(redirectUri: string, params: readonly [string, string][]): string {
  const qs = params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  return `${redirectUri}${redirectUri.includes('?') ? '&' : '?'}${qs}`;
}

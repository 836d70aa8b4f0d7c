// One error family for the whole server, one class per RFC error code.
// `description` is public (sent to the caller and never carries a secret);
// `detail` is private (logged only).

/**
 * RFC 6749 §5.2: error_description holds only %x20-21 / %x23-5B / %x5D-7E. Normalised once
 * here, so no route or dialect formatter can emit anything else: `"` becomes `'`, tabs and
 * line breaks a space, and any other character outside the set (`\`, controls, non-ASCII)
 * a `?`.
 */
export function errorDescription(text: string): string {
  // "§" is outside the allowed characters; spelt out, a cited section stays readable.
  return text.replace(/"/g, "'").replace(/[\t\n\r]/g, ' ').replace(/§\s*/g, 'section ').replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/gu, '?');
}

export type OAuthErrorCode =
  // RFC 6749 §5.2
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  // RFC 8707 §2
  | 'invalid_target'
  // RFC 7009 §2.2.1
  | 'unsupported_token_type'
  // RFC 6750 §3.1
  | 'invalid_token'
  | 'insufficient_scope'
  // RFC 6749 §4.1.2.1 (authorization endpoint)
  | 'unsupported_response_type'
  | 'access_denied'
  // OIDC Core §3.1.2.6
  | 'login_required'
  | 'consent_required'
  | 'interaction_required'
  | 'request_not_supported'
  | 'request_uri_not_supported'
  // RFC 7591 §3.2.2
  | 'invalid_redirect_uri'
  | 'invalid_client_metadata'
  // RFC 6749 §4.1.2.1, used for 5xx that must not leak detail
  | 'server_error'
  | 'temporarily_unavailable';

/**
 * Stable reasons a caller (a dialect's error mapping) may compare, as jose's error `code`s:
 * descriptions are for people and may change; these do not.
 */
export type ErrorReason =
  /** The password grant's user credentials did not match (or the user cannot sign in). */
  | 'invalid_user_credentials'
  /** Client authentication failed: unknown id, wrong secret, or a client not usable here. */
  | 'invalid_client_credentials'
  /** A presented refresh token this server never issued to the caller (a guess, or garbage). */
  | 'unknown_token'
  /** Refused by a lockout or a rate limit (429), before any credential was checked. */
  | 'throttled'
  /** The server is at capacity (the password-hashing queue is full): 503, retry soon. */
  | 'overloaded'
  /** A dependency (the database) cannot be reached: 503, retry soon. */
  | 'unavailable';

export class OAuthError extends Error {
  readonly code: OAuthErrorCode;
  readonly reason: ErrorReason | undefined;
  readonly status: number;
  readonly description: string;
  readonly detail: string | undefined;
  /** Extra response headers, e.g. `WWW-Authenticate` (RFC 6749 §5.2) or `Allow`. */
  readonly headers: Record<string, string>;

  constructor(
    code: OAuthErrorCode,
    description: string,
    opts: { status?: number; detail?: string; headers?: Record<string, string>; reason?: ErrorReason } = {},
  ) {
    const clean = errorDescription(description);
    super(`${code}: ${clean}`);
    this.name = 'OAuthError';
    this.code = code;
    this.status = opts.status ?? 400;
    this.description = clean;
    this.detail = opts.detail;
    this.headers = opts.headers ?? {};
    this.reason = opts.reason;
  }
}

export const invalidRequest = (d: string, status = 400) => new OAuthError('invalid_request', d, { status });
export const invalidGrant = (d: string, detail?: string, reason?: ErrorReason) =>
  new OAuthError('invalid_grant', d, { ...(detail === undefined ? {} : { detail }), ...(reason ? { reason } : {}) });
export const invalidScope = (d: string) => new OAuthError('invalid_scope', d);
export const invalidTarget = (d: string) => new OAuthError('invalid_target', d);
export const unauthorizedClient = (d: string) => new OAuthError('unauthorized_client', d);
export const unsupportedGrantType = (d: string) => new OAuthError('unsupported_grant_type', d);

/**
 * RFC 6749 §5.2: invalid_client is 401, and when the client tried HTTP Basic the response
 * carries a `WWW-Authenticate` header naming that scheme.
 */
export function invalidClient(description: string, usedBasic: boolean, detail?: string): OAuthError {
  const opts: { status: number; detail?: string; headers: Record<string, string>; reason: ErrorReason } = {
    status: 401,
    reason: 'invalid_client_credentials',
    headers: usedBasic ? { 'www-authenticate': 'Basic realm="tessera", charset="UTF-8"' } : {},
  };
  if (detail !== undefined) opts.detail = detail;
  return new OAuthError('invalid_client', description, opts);
}

/**
 * RFC 6750 §3: a protected resource's refusal names the Bearer scheme and the error in
 * `WWW-Authenticate`. `error` absent: the request carried no token at all (§3.1, no code).
 */
function bearerChallenge(error?: OAuthErrorCode, description?: string, scope?: string): string {
  const params = ['realm="tessera"'];
  if (error) params.push(`error="${error}"`);
  if (description) params.push(`error_description="${errorDescription(description)}"`);
  if (scope) params.push(`scope="${scope}"`);
  return `Bearer ${params.join(', ')}`;
}

/** RFC 6750 §3.1 invalid_token: 401; `missing`: no token was presented (no error code in the challenge). */
export function invalidToken(description: string, opts: { missing?: boolean; detail?: string } = {}): OAuthError {
  const challenge = opts.missing ? bearerChallenge() : bearerChallenge('invalid_token', description);
  return new OAuthError('invalid_token', description, {
    status: 401, headers: { 'www-authenticate': challenge }, ...(opts.detail === undefined ? {} : { detail: opts.detail }),
  });
}

/** RFC 6750 §3.1 insufficient_scope: 403, naming the scope the resource needs. */
export function insufficientScope(description: string, scope: string): OAuthError {
  return new OAuthError('insufficient_scope', description, {
    status: 403, headers: { 'www-authenticate': bearerChallenge('insufficient_scope', description, scope) },
  });
}

/**
 * 429 with Retry-After (RFC 6585 §4, RFC 9110 §10.2.3). RFC 6749 has no code for it; like
 * the other "try later" answers it uses temporarily_unavailable (RFC 6749 §4.1.2.1).
 * `retryAfter` is whole seconds ≥ 1.
 */
export function throttled(retryAfter: number, detail?: string): OAuthError {
  return new OAuthError('temporarily_unavailable', 'too many requests; retry later', {
    status: 429, reason: 'throttled', headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfter))) },
    ...(detail === undefined ? {} : { detail }),
  });
}

/** 503 with Retry-After: at capacity (overloaded) or a dependency is down (unavailable). */
export function serviceUnavailable(reason: 'overloaded' | 'unavailable', retryAfter: number, detail?: string): OAuthError {
  const description = reason === 'overloaded' ? 'the server is busy; retry later' : 'the service is temporarily unavailable; retry later';
  return new OAuthError('temporarily_unavailable', description, {
    status: 503, reason, headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfter))) },
    ...(detail === undefined ? {} : { detail }),
  });
}

export function isOAuthError(e: unknown): e is OAuthError {
  return e instanceof OAuthError;
}

// What client credentials a request presents, and by which method (RFC 6749 §2.3.1).
import type { PresentedCredentials } from '../core/client-auth/index.js';
import { invalidClient, invalidRequest } from '../core/errors.js';

/**
 * RFC 6749 §2.3.1: Basic credentials are the form-url-encoded id and secret. Returns null
 * when there is no Basic header.
 */
export function parseBasic(header: string | undefined): { id: string; secret: string } | null {
  if (!header) return null;
  const m = /^Basic +([A-Za-z0-9+/=_-]+) *$/i.exec(header);
  if (!m) {
    if (/^Basic\b/i.test(header)) throw invalidClient('malformed Basic authorization header', true);
    return null;
  }
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw invalidClient('malformed Basic authorization header', true);
  try {
    const dec = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    const id = dec(decoded.slice(0, colon));
    const secret = dec(decoded.slice(colon + 1));
    if (id.includes('\u0000') || secret.includes('\u0000')) throw new Error('NUL');
    return { id, secret };
  } catch {
    throw invalidClient('malformed Basic authorization header', true);
  }
}

/** `via`: the dialect whose route this is (undefined on the standard endpoints). */
export function presentedCredentials(authorization: string | undefined, params: Record<string, string>, via?: string): PresentedCredentials {
  const basic = parseBasic(authorization);
  const inBody = params.client_secret !== undefined;
  // RFC 6749 §2.3: the client MUST NOT use more than one authentication method per request.
  if (basic && inBody) throw invalidRequest('client credentials were sent both in the Authorization header and in the body');
  if (basic) {
    if (params.client_id !== undefined && params.client_id !== basic.id) {
      throw invalidRequest('client_id in the body does not match the Authorization header');
    }
    return { method: 'client_secret_basic', client_id: basic.id, client_secret: basic.secret, via };
  }
  if (inBody) return { method: 'client_secret_post', client_id: params.client_id, client_secret: params.client_secret, via };
  return { method: 'none', client_id: params.client_id, client_secret: undefined, via };
}

/** RFC 6750 §2.1: the token of an `Authorization: Bearer <token>` header, if that is what it is. */
export function bearerToken(header: string | undefined): string | undefined {
  return header ? /^Bearer +(\S+) *$/i.exec(header)?.[1] : undefined;
}

/** RFC 6749 §2.3.1: credentials MUST NOT be sent in the request URI. */
const SENSITIVE_QUERY = ['client_secret', 'password', 'refresh_token', 'access_token', 'token', 'client_assertion'];

export function rejectSecretsInQuery(query: unknown): void {
  if (!query || typeof query !== 'object') return;
  const found = SENSITIVE_QUERY.filter((k) => Object.hasOwn(query, k));
  if (found.length > 0) throw invalidRequest(`${found[0]} must not be sent in the query string; send it in the request body`);
}

// OIDC RP-Initiated Logout 1.0 §2-3, framework-free: reading id_token_hint (signed by one
// of our keys; an expired one is fine, §2) and choosing where the browser may go after.
import { compactVerify, decodeProtectedHeader } from 'jose';
import type { KeyManager } from './keys.js';
import type { ClientRepo } from './store.js';
import type { Client } from './types.js';

export interface IdTokenHint {
  sub: string;
  /** The client it was issued to (aud, or azp when aud lists several). */
  client_id: string | null;
  sid: string | null;
}

/** The hint's claims when it is an id_token we signed for this issuer; null otherwise (never throws). */
export async function readIdTokenHint(token: string, keys: Pick<KeyManager, 'byKidReloading'>, issuer: string): Promise<IdTokenHint | null> {
  try {
    if (token.length > 8192) return null;
    const header = decodeProtectedHeader(token);
    // An access token (RFC 9068 §2.1 typ at+jwt) is not an id_token.
    if (typeof header.kid !== 'string' || header.typ === 'at+jwt') return null;
    const key = await keys.byKidReloading(header.kid);
    if (!key || header.alg !== key.alg) return null;
    const { payload } = await compactVerify(token, key.publicKey, { algorithms: [key.alg] });
    const c = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
    if (c.iss !== issuer || typeof c.sub !== 'string') return null;
    const aud = typeof c.aud === 'string' ? c.aud : Array.isArray(c.aud) && c.aud.length === 1 && typeof c.aud[0] === 'string' ? c.aud[0] : null;
    const client = aud ?? (typeof c.azp === 'string' ? c.azp : null);
    return { sub: c.sub, client_id: client, sid: typeof c.sid === 'string' ? c.sid : null };
  } catch {
    return null;
  }
}

export interface LogoutTarget {
  client: Client | null;
  /** Registered for that client (§3: exact match); null: do not redirect. */
  redirect_uri: string | null;
}

/**
 * §2-3: the client is the hint's or client_id (both: they must agree); a
 * post_logout_redirect_uri is followed only when it is one of that client's, exactly.
 * A mismatch is refused (null) by the caller with an error page.
 */
export async function logoutTarget(clients: Pick<ClientRepo, 'get'>, hint: IdTokenHint | null, clientId: string | undefined, uri: string | undefined): Promise<LogoutTarget | null> {
  if (hint?.client_id && clientId !== undefined && hint.client_id !== clientId) return null;
  const id = hint?.client_id ?? clientId;
  const found = id === undefined ? null : await clients.get(id);
  const client = found && !found.disabled ? found : null;
  const redirect = uri !== undefined && client !== null && client.post_logout_redirect_uris.includes(uri) ? uri : null;
  return { client, redirect_uri: redirect };
}

// RFC 7662 §2.2 and §4: who is entitled to learn about a token. An introspection answer
// tells the caller who the token belongs to (client, user name, scope), so a caller that is
// not entitled gets exactly what an unknown token gets: {"active": false}.
import type { InspectedToken, TokenInspector } from './inspect.js';
import { lockSubject, tokenSubject, type Throttle } from './throttle.js';
import type { Client } from './types.js';

/** A token's `aud` claim as a list (RFC 7519 §4.1.3: a string or an array of strings). */
export const audiences = (aud: unknown): unknown[] => (Array.isArray(aud) ? aud : aud === undefined ? [] : [aud]);

/**
 * The caller may see the token when it was issued to the caller itself; when it is an access
 * token whose `aud` names the caller (a resource server registered as a client); or when the
 * caller's registration says `introspect: all` (a gateway, set explicitly by the operator).
 */
export function entitledToIntrospect(caller: Client, token: InspectedToken): boolean {
  if (caller.introspect === 'all') return true;
  if (token.client_id === caller.client_id) return true;
  return token.kind === 'access_token' && audiences(token.claims.aud).includes(caller.client_id);
}

/** The scope that lets a Bearer token introspect (Django-OAuth-Toolkit's `/o/introspect/`). */
export const INTROSPECTION_SCOPE = 'introspection';

/**
 * The token a caller names, read back. One this server does not know (a guess, garbage)
 * counts against the caller's token key and the IP (core/throttle.ts); a known one, active
 * or not, forgets the caller's token failures. The caller's gate has checked both keys.
 */
export async function inspectPresented(inspector: TokenInspector, throttle: Throttle, caller: Client, token: string, ip: string): Promise<InspectedToken | null> {
  const found = await inspector.inspect(token);
  const subject = tokenSubject(caller);
  if (found) throttle.succeeded(subject);
  else await throttle.failed([...subject, lockSubject.ip(ip)]);
  return found;
}

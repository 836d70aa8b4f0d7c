// RFC 7009 token revocation. Unknown tokens succeed silently (§2.2). Revoking a refresh
// token revokes its family: every refresh token and access token issued from the grant.
import type { TokenInspector } from './inspect.js';
import type { Store } from './store.js';
import type { Client } from './types.js';

export async function revokeToken(store: Store, inspector: TokenInspector, client: Client, token: string): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  const t = await inspector.inspect(token, now);
  if (!t) return;
  // RFC 7009 §2.1: only the client a token was issued to may revoke it. Another client's
  // token is left alone and answered exactly as an unknown one (§2.2: 200), so revocation
  // cannot be used to learn whether a token exists.
  if (t.client_id !== client.client_id) return;
  if (t.kind === 'refresh_token') {
    if (t.family_id) await store.tokens.revokeFamily(t.family_id, now);
    return;
  }
  if (t.exp <= now) return; // nothing left to revoke
  await store.tokens.revokeAccess(t.id, now, {
    id: t.id, format: t.format === 'jwt' ? 'jwt' : 'opaque', family_id: t.family_id, client_id: t.client_id,
    user_id: t.user_id, scope: t.scope, claims: '{}', expires_at: t.exp, created_at: t.iat,
  });
}

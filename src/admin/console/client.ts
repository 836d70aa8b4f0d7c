// The web console's own OAuth client, `tessera-console`: a first-party public client (no
// secret, RFC 6749 §2.1; PKCE S256, RFC 7636) that signs administrators in through
// Tessera's authorization code flow on the public listener and is redirected back to the
// admin listener. Tessera keeps it (managed_by 'console'): made at every start while the
// admin listener runs, removed with `admin: false`.
import type { Config } from '../../config/schema.js';
import { ADMIN_SCOPE } from '../../core/scope.js';
import type { ManagedEntities } from '../../entities.js';

export const CONSOLE_CLIENT_ID = 'tessera-console';
export const CONSOLE_SCOPE = `openid profile ${ADMIN_SCOPE}`;

/**
 * The admin listener's origin as a browser reaches it: `admin_url`, else admin_host and
 * admin_port (`port` when the listener is bound to another one, as admin_port 0 is). A
 * wildcard bind address is reached on loopback; a remote browser needs `admin_url`.
 */
export function adminOrigin(config: Config, port = config.admin_port): string {
  if (config.admin_url) return config.admin_url;
  const host = config.admin_host === '0.0.0.0' ? '127.0.0.1' : config.admin_host === '::' ? '::1' : config.admin_host;
  // Port 0 (a free port, chosen at listen): no port, which on loopback matches any (RFC 8252 §7.3).
  return `${config.tls_cert ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}${port === 0 ? '' : `:${port}`}`;
}

export const consoleRedirectUri = (origin: string) => `${origin}/admin/callback`;

export function consoleEntities(config: Config): ManagedEntities[] {
  if (!config.admin) return [];
  return [{
    managedBy: 'console',
    clients: [{
      client_id: CONSOLE_CLIENT_ID, client_name: 'Tessera admin console',
      token_endpoint_auth_method: 'none', grant_types: ['authorization_code'], scope: CONSOLE_SCOPE,
      // Opaque: the token is only ever read back by this server (and revocable at once).
      access_token_format: 'opaque', resources: [],
      redirect_uris: [consoleRedirectUri(adminOrigin(config))], first_party: true,
    }],
    users: [],
    participants: [],
  }];
}

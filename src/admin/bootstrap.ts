// The first admin: on a start that finds no client with the tessera:admin scope, create the
// confidential client_credentials client `tessera-admin` (the operator's from then on) with
// a random secret, to be printed once. Instances starting together on one database race
// through a create-only insert: exactly one of them makes it and prints it.
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { validateClient } from '../config/validate.js';
import { parseScope } from '../core/scope.js';
import { generateClientSecret } from '../core/secrets.js';
import type { Store } from '../core/store.js';
import { clientFromConfig } from '../entities.js';
import { recordChange } from './audit.js';
import { ADMIN_SCOPE } from './auth.js';
import { clientView } from './views.js';

export const BOOTSTRAP_CLIENT_ID = 'tessera-admin';

export interface BootstrapCredentials { client_id: string; client_secret: string }

export async function bootstrapAdmin(store: Store, config: Config, log: Logger): Promise<BootstrapCredentials | null> {
  if (!config.admin || !config.admin_bootstrap) return null;
  // The console's client (admin/console/client.ts) asks for the scope only for its users who
  // hold the role: it is no way in for automation, so it does not count.
  if ((await store.clients.list()).some((c) => c.managed_by !== 'console' && parseScope(c.scope).includes(ADMIN_SCOPE))) return null;
  const secret = generateClientSecret();
  const client = await clientFromConfig(validateClient({
    client_id: BOOTSTRAP_CLIENT_ID, client_secret: secret, client_name: 'Tessera admin (made on first start)',
    grant_types: ['client_credentials'], scope: ADMIN_SCOPE,
  }, ''), null);
  if (!(await store.clients.create(client))) {
    // Another instance made it just now, or an operator's client holds the name.
    log.info({ client_id: BOOTSTRAP_CLIENT_ID }, 'admin bootstrap: the client exists already; not creating one');
    return null;
  }
  await recordChange({ store, log }, null, { action: 'client.bootstrap', resource: 'client', id: client.client_id, after: clientView(client) });
  log.warn({ client_id: BOOTSTRAP_CLIENT_ID }, 'created the first admin client; its secret is printed once on stdout');
  return { client_id: BOOTSTRAP_CLIENT_ID, client_secret: secret };
}

/** The plain block printed once on stdout, beside (not in) the JSON logs. */
export function bootstrapBanner(creds: BootstrapCredentials, tokenUrl: string, adminUrl: string): string {
  const bar = '='.repeat(78);
  return [
    bar,
    'Tessera admin API: first start. These credentials are shown ONCE; store them now.',
    `  client_id:     ${creds.client_id}`,
    `  client_secret: ${creds.client_secret}`,
    'Get an admin token, then call the admin API with it:',
    `  TOKEN=$(curl -s -u '${creds.client_id}:${creds.client_secret}' -d grant_type=client_credentials -d scope=${ADMIN_SCOPE} ${tokenUrl} | sed -E 's/.*"access_token":"([^"]+)".*/\\1/')`,
    `  curl -H "Authorization: Bearer $TOKEN" ${adminUrl}/admin/clients`,
    'Lost it? `tessera client rotate-secret tessera-admin` prints a new one.',
    bar,
    '',
  ].join('\n');
}

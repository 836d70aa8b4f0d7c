// A migrated store of a given backend with a few entities, for unit tests of the core.
import { SuccessorSeal } from '../../src/core/rotation.js';
import type { Store } from '../../src/core/store.js';
import type { Client } from '../../src/core/types.js';
import { clientFromConfig, userFromConfig } from '../../src/entities.js';
import { openStore } from '../../src/store/index.js';
import { makeDatabase, type Backend } from '../helpers/stores.js';

export interface Harness { store: Store; seal: SuccessorSeal; close(): Promise<void> }

export async function harness(kind: Backend): Promise<Harness> {
  const db = await makeDatabase(kind);
  const store = await openStore(db.url);
  await store.migrate();
  return { store, seal: new SuccessorSeal('harness-secret-key-harness-secret-key'), close: async () => { await store.close(); await db.cleanup(); } };
}

export async function addClient(store: Store, c: Partial<Parameters<typeof clientFromConfig>[0]> & { client_id: string }): Promise<Client> {
  const client = await clientFromConfig({
    grant_types: ['client_credentials'], scope: 'read write', token_endpoint_auth_method: c.client_secret ? 'client_secret_basic' : 'none',
    access_token_format: 'jwt', resources: [], ...c,
  }, null);
  await store.clients.upsert(client);
  return client;
}

export async function addUser(store: Store, username: string, password: string) {
  return store.users.upsert(await userFromConfig({ username, password, roles: [] }, null));
}

export const now = () => Math.floor(Date.now() / 1000);

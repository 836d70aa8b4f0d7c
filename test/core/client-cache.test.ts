import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cachedClients } from '../../src/core/client-cache.js';
import type { ClientRepo } from '../../src/core/store.js';
import type { Client } from '../../src/core/types.js';

function countingRepo() {
  const rows = new Map<string, Client>();
  let gets = 0;
  const repo: ClientRepo = {
    get: async (id) => { gets++; return rows.get(id) ?? null; },
    list: async () => [...rows.values()],
    upsert: async (c) => { rows.set(c.client_id, c); },
    delete: async (id) => rows.delete(id),
  };
  return { repo, rows, gets: () => gets };
}

const client = (id: string, scope = 'a'): Client => ({
  client_id: id, client_secret_hash: null, client_name: null, grant_types: ['password'], scope,
  token_endpoint_auth_method: 'none', access_token_format: 'jwt', access_token_ttl: null, refresh_token_ttl: null,
  audience: null, access_token_signing_alg: null, resources: [], profile: null, introspect: 'own', managed_by: null, created_at: 0, updated_at: 0,
  refresh_token_idle_ttl: null, disabled: false, tokens_not_before: null, refresh_token_grace_period: null,
});

describe('client cache', () => {
  it('serves repeated lookups from memory until the ttl passes', async () => {
    const r = countingRepo();
    r.rows.set('c', client('c'));
    const cached = cachedClients(r.repo, 50);
    await cached.get('c');
    await cached.get('c');
    assert.equal(r.gets(), 1);
    await new Promise((res) => setTimeout(res, 60));
    await cached.get('c');
    assert.equal(r.gets(), 2);
  });

  it('writes through it invalidate at once; unknown ids are not cached', async () => {
    const r = countingRepo();
    const cached = cachedClients(r.repo, 60_000);
    await cached.upsert(client('c', 'a'));
    assert.equal((await cached.get('c'))?.scope, 'a');
    await cached.upsert(client('c', 'b'));
    assert.equal((await cached.get('c'))?.scope, 'b');
    await cached.delete('c');
    assert.equal(await cached.get('c'), null);
    await cached.get('ghost');
    await cached.get('ghost');
    assert.equal(r.gets(), 5, 'each invalidation and each miss goes to the store');
  });

  it('ttl 0 is no cache at all', async () => {
    const r = countingRepo();
    assert.equal(cachedClients(r.repo, 0), r.repo);
  });
});

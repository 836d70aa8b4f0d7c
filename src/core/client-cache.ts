// An in-memory cache in front of the client repository: the token, introspection and
// revocation endpoints look a client up on every request. Writes through this repo
// invalidate at once; changes made elsewhere (the CLI, another instance) are seen after at
// most `ttlMs`. Unknown ids are not cached, so random ids cannot fill memory.
import type { ClientRepo } from './store.js';
import type { Client } from './types.js';

const MAX_ENTRIES = 10_000;

export function cachedClients(repo: ClientRepo, ttlMs: number): ClientRepo {
  if (ttlMs <= 0) return repo;
  const cache = new Map<string, { client: Client; until: number }>();
  return {
    async get(clientId) {
      const now = Date.now();
      const hit = cache.get(clientId);
      if (hit && hit.until > now) return hit.client;
      const client = await repo.get(clientId);
      if (client) {
        if (cache.size >= MAX_ENTRIES) cache.clear();
        cache.set(clientId, { client, until: now + ttlMs });
      } else {
        cache.delete(clientId);
      }
      return client;
    },
    list: () => repo.list(),
    async upsert(client) {
      cache.delete(client.client_id);
      await repo.upsert(client);
      cache.delete(client.client_id);
    },
    async delete(clientId) {
      cache.delete(clientId);
      return repo.delete(clientId);
    },
    async setLock(clientId, until) {
      cache.delete(clientId);
      const found = await repo.setLock(clientId, until);
      cache.delete(clientId);
      return found;
    },
  };
}

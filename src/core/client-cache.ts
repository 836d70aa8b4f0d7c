// An in-memory cache in front of the client repository: the token, introspection and
// revocation endpoints look a client up on every request. Writes through this repo
// invalidate at once; changes made elsewhere (the CLI, another instance) are seen after at
// most `ttlMs`. Unknown ids are not cached, so random ids cannot fill memory.
//
// Stale-if-error (the idea of RFC 5861 §4): when the store is down, a client read before
// the outage is still served, for at most `staleMs` past its ttl, so client_credentials JWTs
// (signed with in-memory keys, stored nowhere) keep being issued through a database outage.
import type { ClientRepo } from './store.js';
import type { Client } from './types.js';

const MAX_ENTRIES = 10_000;

/** How long past its ttl a cached client may be served while the store fails: 5 minutes. */
export const CLIENT_STALE_IF_ERROR_SECONDS = 300;

export interface StaleIfError {
  /** Milliseconds past the ttl; 0 turns it off. */
  staleMs: number;
  /** Whether an error is an outage (not a bug), for which a stale client may be served. */
  isOutage: (e: unknown) => boolean;
}

export function cachedClients(repo: ClientRepo, ttlMs: number, stale?: StaleIfError): ClientRepo {
  if (ttlMs <= 0) return repo;
  const cache = new Map<string, { client: Client; until: number; staleUntil: number }>();
  return {
    async get(clientId) {
      const now = Date.now();
      const hit = cache.get(clientId);
      if (hit && hit.until > now) return hit.client;
      let client: Client | null;
      try {
        client = await repo.get(clientId);
      } catch (e) {
        if (!hit || !stale || now >= hit.staleUntil || !stale.isOutage(e)) throw e;
        // Serve it, and ask the store again only a ttl later: while a connection attempt
        // to an unreachable database times out, each request would wait that long.
        hit.until = Math.min(now + ttlMs, hit.staleUntil);
        return hit.client;
      }
      if (client) {
        if (cache.size >= MAX_ENTRIES) cache.clear();
        cache.set(clientId, { client, until: now + ttlMs, staleUntil: now + ttlMs + (stale?.staleMs ?? 0) });
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
    async create(client) {
      cache.delete(client.client_id);
      return repo.create(client);
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
    async touch(clientId, at) {
      // The cached copy learns the time too: the next requests do not touch again.
      const hit = cache.get(clientId);
      if (hit) hit.client = { ...hit.client, last_used_at: at };
      await repo.touch(clientId, at);
    },
    expiredRegistrations: (idleBefore, expiredBefore, limit) => repo.expiredRegistrations(idleBefore, expiredBefore, limit),
  };
}

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cachedClients } from '../../src/core/client-cache.js';
import type { ClientRepo } from '../../src/core/store.js';
import type { Client } from '../../src/core/types.js';
import { testClient } from '../helpers/clients.js';

function countingRepo() {
  const rows = new Map<string, Client>();
  let gets = 0;
  let failure: Error | undefined;
  const repo: ClientRepo = {
    get: async (id) => { gets++; if (failure) throw failure; return rows.get(id) ?? null; },
    list: async () => [...rows.values()],
    upsert: async (c) => { rows.set(c.client_id, c); },
    create: async (c) => { if (rows.has(c.client_id)) return false; rows.set(c.client_id, c); return true; },
    delete: async (id) => rows.delete(id),
    setLock: async (id, until) => { const c = rows.get(id); if (c) rows.set(id, { ...c, locked_until: until }); return c !== undefined; },
    touch: async (id, at) => { const c = rows.get(id); if (c) rows.set(id, { ...c, last_used_at: at }); },
    expiredRegistrations: async () => [],
  };
  return { repo, rows, gets: () => gets, fail: (e: Error | undefined) => { failure = e; } };
}

const client = (id: string, scope = 'a'): Client => testClient(id, { grant_types: ['password'], scope, token_endpoint_auth_method: 'none' });

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

  it('a lock written through it is read back at once', async () => {
    const r = countingRepo();
    const cached = cachedClients(r.repo, 60_000);
    await cached.upsert(client('c'));
    assert.equal((await cached.get('c'))?.locked_until, null);
    assert.equal(await cached.setLock('c', 123), true);
    assert.equal((await cached.get('c'))?.locked_until, 123);
    assert.equal(await cached.setLock('ghost', 123), false);
  });

  it('ttl 0 is no cache at all', async () => {
    const r = countingRepo();
    assert.equal(cachedClients(r.repo, 0), r.repo);
  });

  describe('stale-if-error', () => {
    const outage = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const stale = { staleMs: 100, isOutage: (e: unknown) => (e as { code?: string }).code === 'ECONNREFUSED' };

    it('serves a client read before an outage, asks the store again only a ttl later, and stops after staleMs', async () => {
      const r = countingRepo();
      r.rows.set('c', client('c'));
      const cached = cachedClients(r.repo, 30, stale);
      await cached.get('c');
      r.fail(outage);
      await new Promise((res) => setTimeout(res, 40));
      assert.equal((await cached.get('c'))?.client_id, 'c', 'served stale while the store is down');
      assert.equal(r.gets(), 2);
      assert.equal((await cached.get('c'))?.client_id, 'c');
      assert.equal(r.gets(), 2, 'no second wait on the dead store within a ttl');
      await new Promise((res) => setTimeout(res, 110)); // past ttl + staleMs
      await assert.rejects(cached.get('c'), /ECONNREFUSED/, 'bounded: a client is never served stale for ever');
      r.fail(undefined);
      assert.equal((await cached.get('c'))?.client_id, 'c', 'recovers when the store answers');
    });

    it('never for an error that is not an outage, nor for a client it never read', async () => {
      const r = countingRepo();
      r.rows.set('c', client('c'));
      const cached = cachedClients(r.repo, 10, stale);
      await cached.get('c');
      await new Promise((res) => setTimeout(res, 20));
      r.fail(new Error('a bug'));
      await assert.rejects(cached.get('c'), /a bug/);
      r.fail(outage);
      await assert.rejects(cached.get('other'), /ECONNREFUSED/);
      // Without the option (as before): the outage reaches the caller.
      const plain = cachedClients(r.repo, 10);
      await assert.rejects(plain.get('c'), /ECONNREFUSED/);
    });
  });
});

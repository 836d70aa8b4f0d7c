// The store methods the admin API added, as one contract for every adapter (SQLite, and
// PostgreSQL with TESSERA_TEST_DATABASE_URL): create-only clients, retiring one key, a
// user's live sessions, and the audit log.
import { beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NewAuditEntry, Store } from '../../src/core/store.js';
import type { Client, StoredKey } from '../../src/core/types.js';
import { testClient } from '../helpers/clients.js';
import { BACKENDS, freshStoreEachTest } from '../helpers/stores.js';

const NOW = 1_700_000_000;

const client = (client_id: string): Client => testClient(client_id, { client_secret_hash: 'h', scope: 'read' }, NOW);
const key = (kid: string, activates_at = NOW): StoredKey => ({
  kid, alg: 'ES256', public_jwk: '{}', private_jwk_enc: 'enc', created_at: NOW, activates_at, retired_at: null,
});
const entry = (i: number): NewAuditEntry => ({
  at: NOW + i, actor_client_id: 'tessera-admin', actor_user_id: i % 2 ? 'u-1' : null, action: `client.update`, resource: 'client',
  resource_id: `c-${i}`, before: i % 2 ? null : '{"a":1}', after: '{"a":2}', request_id: `r-${i}`, ip: '127.0.0.1',
});

for (const kind of BACKENDS) {
  describe(`admin store contract: ${kind}`, () => {
    const current = freshStoreEachTest(kind);
    let store: Store;
    beforeEach(() => { store = current(); });

    it('clients.create writes only a new client_id, even when racing', async () => {
      assert.equal(await store.clients.create(client('a')), true);
      assert.equal(await store.clients.create({ ...client('a'), scope: 'other' }), false);
      assert.equal((await store.clients.get('a'))!.scope, 'read');
      const results = await Promise.all([1, 2, 3, 4].map(() => store.clients.create(client('race'))));
      assert.equal(results.filter(Boolean).length, 1);
    });

    it('keys.retire sets one key\'s time, never lengthens an earlier one, and reports a missing kid', async () => {
      await store.keys.insert(key('k1'));
      await store.keys.insert(key('k2'));
      assert.equal(await store.keys.retire('k1', NOW + 10), true);
      assert.equal(await store.keys.retire('k1', NOW + 50), true);
      assert.equal(await store.keys.retire('nope', NOW), false);
      const byKid = Object.fromEntries((await store.keys.list()).map((k) => [k.kid, k.retired_at]));
      assert.deepEqual(byKid, { k1: NOW + 10, k2: null });
      assert.equal(await store.keys.retire('k1', NOW + 5), true);
      assert.equal((await store.keys.list()).find((k) => k.kid === 'k1')!.retired_at, NOW + 5);
    });

    it('tokens.listUserFamilies: the user\'s unrevoked families that still hold a live token, newest first', async () => {
      const fam = (id: string, created_at: number, user_id = 'u-1') => ({ id, client_id: 'c', user_id, created_at });
      const rt = (hash: string, family_id: string, expires_at: number) => ({
        hash, family_id, client_id: 'c', user_id: 'u-1', scope: 'read', resource: null, expires_at, created_at: NOW,
      });
      await store.tokens.persistIssue({ family: fam('f-old', NOW), refresh: rt('h1', 'f-old', NOW + 100) }, NOW);
      await store.tokens.persistIssue({ family: fam('f-new', NOW + 5), refresh: rt('h2', 'f-new', NOW + 100) }, NOW);
      await store.tokens.persistIssue({ family: fam('f-expired', NOW + 6), refresh: rt('h3', 'f-expired', NOW + 1) }, NOW);
      await store.tokens.persistIssue({ family: fam('f-revoked', NOW + 7), refresh: rt('h4', 'f-revoked', NOW + 100) }, NOW);
      await store.tokens.persistIssue({ family: fam('f-other', NOW + 8, 'u-2'), refresh: { ...rt('h5', 'f-other', NOW + 100), user_id: 'u-2' } }, NOW);
      await store.tokens.persistIssue({
        family: fam('f-access', NOW + 9),
        access: { id: 'a1', format: 'opaque', family_id: 'f-access', client_id: 'c', user_id: 'u-1', scope: 'read', claims: '{}', expires_at: NOW + 100, created_at: NOW },
      }, NOW);
      await store.tokens.revokeFamily('f-revoked', NOW + 2);
      const list = await store.tokens.listUserFamilies('u-1', NOW + 10);
      assert.deepEqual(list.map((f) => f.id), ['f-access', 'f-new', 'f-old']);
      assert.equal(list[0]!.client_id, 'c');
      assert.deepEqual(await store.tokens.listUserFamilies('nobody', NOW), []);
    });

    it('audit: append, then pages newest first by seq', async () => {
      for (let i = 0; i < 5; i++) await store.audit.append(entry(i));
      const all = await store.audit.list(10);
      assert.deepEqual(all.map((e) => e.resource_id), ['c-4', 'c-3', 'c-2', 'c-1', 'c-0']);
      assert.deepEqual(all[0], { ...entry(4), seq: all[0]!.seq });
      assert.equal(all[1]!.actor_user_id, 'u-1');
      assert.equal(all[1]!.before, null);
      const first = await store.audit.list(2);
      const second = await store.audit.list(2, first.at(-1)!.seq);
      assert.deepEqual([...first, ...second].map((e) => e.resource_id), ['c-4', 'c-3', 'c-2', 'c-1']);
      assert.deepEqual(await store.audit.list(2, all.at(-1)!.seq), []);
    });
  });
}

// One contract for every storage adapter (src/core/store.ts): the same suite runs against
// SQLite and, when TESSERA_TEST_DATABASE_URL is set, PostgreSQL, through openStore().
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { NewAccess, NewFamily, NewRefresh, Store } from '../../src/core/store.js';
import type { Client, Participant, StoredKey, User } from '../../src/core/types.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { openStore } from '../../src/store/index.js';
import { BACKENDS, makeDatabase, type TestStore } from '../helpers/stores.js';
import { everyFieldSet, testClient } from '../helpers/clients.js';

const NOW = 1_700_000_000;
const NO_SUCCESSOR = { successor_hash: null, successor_enc: null, successor_until: null };
const LATER = NOW + 3600;

const client = (client_id: string, o: Partial<Client> = {}): Client => testClient(client_id, { scope: 'read', ...o }, NOW);

const user = (username: string, o: Partial<User> = {}): User => ({
  id: `u-${username}`,
  username,
  password_hash: 'hash',
  email: null,
  email_verified: false,
  given_name: null,
  family_name: null,
  picture: null,
  locale: null,
  name: null,
  roles: [],
  participant_code: null,
  managed_by: null,
  created_at: NOW,
  updated_at: NOW,
  disabled: false,
  tokens_not_before: null,
  locked_until: null,
  ...o,
});

const participant = (participant_code: string, o: Partial<Participant> = {}): Participant => ({
  participant_code, name: null, roles: [], created_at: NOW, updated_at: NOW, ...o,
});

const key = (kid: string, alg: StoredKey['alg'], created_at: number, activates_at = created_at): StoredKey => ({
  kid, alg, public_jwk: `{"kid":"${kid}"}`, private_jwk_enc: `enc-${kid}`, created_at, activates_at, retired_at: null,
});

const family = (id: string, client_id = 'tok-client'): NewFamily => ({ id, client_id, user_id: 'user-1', created_at: NOW });

const refresh = (hash: string, family_id: string, o: Partial<NewRefresh> = {}): NewRefresh => ({
  hash, family_id, client_id: 'tok-client', user_id: 'user-1', scope: 'read write', resource: 'https://api.example',
  expires_at: LATER, created_at: NOW, ...o,
});

const access = (id: string, family_id: string | null, o: Partial<NewAccess> = {}): NewAccess => ({
  id, format: 'opaque', family_id, client_id: 'tok-client', user_id: 'user-1', scope: 'read',
  claims: `{"jti":"${id}"}`, expires_at: LATER, created_at: NOW, ...o,
});

for (const kind of BACKENDS) {
  describe(`store contract: ${kind}`, () => {
    let db: TestStore;
    let store: Store;
    let closed = false;

    // Every case gets its own migrated database: none depends on another's rows or order.
    beforeEach(async () => {
      db = await makeDatabase(kind);
      store = await openStore(db.url);
      closed = false;
      await store.migrate();
    });
    afterEach(async () => {
      if (!closed) await store.close();
      await db.cleanup();
    });

    it('reports its kind', () => {
      assert.equal(store.kind, kind);
    });

    it('migrate applies every migration once, then nothing', async () => {
      const fresh = await makeDatabase(kind);
      const s = await openStore(fresh.url);
      try {
        assert.deepEqual(await s.migrate(), MIGRATIONS.map((m) => m.version));
        assert.deepEqual(await s.migrate(), []);
      } finally {
        await s.close();
        await fresh.cleanup();
      }
    });

    it('concurrent migrate from several instances applies each migration exactly once', async () => {
      const fresh = await makeDatabase(kind);
      const stores = await Promise.all([1, 2, 3].map(() => openStore(fresh.url)));
      try {
        const results = await Promise.all(stores.map((s) => s.migrate()));
        assert.deepEqual(results.flat().sort((a, b) => a - b), MIGRATIONS.map((m) => m.version));
        assert.equal(results.filter((r) => r.length === 0).length, stores.length - 1);
      } finally {
        for (const s of stores) await s.close();
        await fresh.cleanup();
      }
    });

    it('ping resolves on a live store and rejects once the database cannot be reached', async () => {
      await assert.doesNotReject(store.ping());
      await store.close();
      closed = true;
      await assert.rejects(store.ping());
      if (kind === 'postgres') {
        const url = new URL(db.url);
        url.pathname = '/tessera_no_such_database';
        const gone = await openStore(url.toString());
        try { await assert.rejects(gone.ping()); } finally { await gone.close(); }
      }
    });

    describe('clients', () => {
      it('creates, reads back every field, updates keeping created_at', async () => {
        assert.equal(await store.clients.get('c1'), null);
        // Every metadata field (from the table: a new field is covered without an edit here)
        // and every state field the upsert writes, each different from its default.
        const c1 = client('c1', {
          ...everyFieldSet(),
          client_secret_hash: 'argon2$x', managed_by: 'registration', tokens_not_before: NOW - 5,
          client_secret_expires_at: NOW + 99, registration_access_token_hash: 'rat-hash',
        });
        for (const [k, v] of Object.entries(testClient('c1', {}, NOW))) {
          if (k !== 'client_id' && k !== 'created_at' && k !== 'updated_at' && k !== 'locked_until' && k !== 'last_used_at') {
            assert.notDeepEqual((c1 as unknown as Record<string, unknown>)[k], v, `${k} is set to a non-default value`);
          }
        }
        await store.clients.upsert(c1);
        assert.deepEqual(await store.clients.get('c1'), c1);

        const changed = client('c1', { scope: 'read write', client_name: 'Renamed', created_at: NOW + 50, updated_at: NOW + 50 });
        await store.clients.upsert(changed);
        assert.deepEqual(await store.clients.get('c1'), { ...changed, created_at: NOW });
      });

      it('setLock writes locked_until, never shortens a later lock, clears on null; upsert leaves it alone', async () => {
        assert.equal(await store.clients.setLock('nobody', LATER), false);
        await store.clients.upsert(client('c1'));
        assert.equal(await store.clients.setLock('c1', LATER), true);
        assert.equal((await store.clients.get('c1'))?.locked_until, LATER);
        // Another instance that counted fewer failures writes a shorter lock: the later one stays.
        assert.equal(await store.clients.setLock('c1', NOW), true);
        assert.equal((await store.clients.get('c1'))?.locked_until, LATER);
        assert.equal(await store.clients.setLock('c1', LATER + 5), true);
        assert.equal((await store.clients.get('c1'))?.locked_until, LATER + 5);
        // Applying the config file again (an upsert) does not clear a lock, whatever the row says.
        await store.clients.upsert(client('c1', { scope: 'changed', locked_until: null }));
        assert.equal((await store.clients.get('c1'))?.scope, 'changed');
        assert.equal((await store.clients.get('c1'))?.locked_until, LATER + 5);
        assert.equal((await store.clients.list())[0]?.locked_until, LATER + 5);
        assert.equal(await store.clients.setLock('c1', null), true);
        assert.equal((await store.clients.get('c1'))?.locked_until, null);
      });

      it('lists in client_id byte order and deletes', async () => {
        await store.clients.upsert(client('c1'));
        await store.clients.upsert(client('c3'));
        await store.clients.upsert(client('C2'));
        assert.deepEqual((await store.clients.list()).map((c) => c.client_id), ['C2', 'c1', 'c3']);
        assert.equal(await store.clients.delete('c3'), true);
        assert.equal(await store.clients.delete('c3'), false);
        assert.equal(await store.clients.get('c3'), null);
        assert.deepEqual((await store.clients.list()).map((c) => c.client_id), ['C2', 'c1']);
      });
    });

    describe('registration', () => {
      it('touch writes last_used_at only; upsert leaves it alone', async () => {
        await store.clients.upsert(client('r1', { managed_by: 'registration' }));
        await store.clients.touch('r1', NOW + 10);
        assert.equal((await store.clients.get('r1'))?.last_used_at, NOW + 10);
        await store.clients.upsert(client('r1', { managed_by: 'registration', scope: 'changed', last_used_at: null }));
        assert.equal((await store.clients.get('r1'))?.last_used_at, NOW + 10);
      });

      it('expiredRegistrations: registered clients idle (from last use, else creation) or with an expired secret, at most limit', async () => {
        await store.clients.upsert(client('idle', { managed_by: 'registration' }));
        await store.clients.upsert(client('used', { managed_by: 'registration' }));
        await store.clients.touch('used', NOW + 100);
        await store.clients.upsert(client('expired', { managed_by: 'registration', client_secret_expires_at: NOW + 5 }));
        await store.clients.upsert(client('live', { managed_by: 'registration', client_secret_expires_at: NOW + 500 }));
        await store.clients.touch('live', NOW + 100);
        await store.clients.upsert(client('operator'));
        await store.clients.upsert(client('dev', { managed_by: 'dev' }));
        assert.deepEqual((await store.clients.expiredRegistrations(NOW + 50, NOW + 10, 10)).sort(), ['expired', 'idle']);
        assert.deepEqual((await store.clients.expiredRegistrations(0, NOW + 10, 10)), ['expired']);
        assert.equal((await store.clients.expiredRegistrations(NOW + 1000, NOW + 1000, 2)).length, 2);
      });

      it('initial access tokens: find only usable ones, consume counts uses atomically, delete, purge expired', async () => {
        const t = { id: 'a', hash: 'h-a', created_at: NOW, expires_at: LATER, max_uses: 2 };
        await store.registrationTokens.insert(t);
        await store.registrationTokens.insert({ id: 'b', hash: 'h-b', created_at: NOW, expires_at: NOW + 10, max_uses: null });
        assert.deepEqual(await store.registrationTokens.find('h-a', NOW), { ...t, uses: 0 });
        assert.equal(await store.registrationTokens.find('h-b', NOW + 10), null, 'expired');
        assert.equal(await store.registrationTokens.consume('h-b', NOW + 10), false);
        const race = await Promise.all([1, 2, 3, 4].map(() => store.registrationTokens.consume('h-a', NOW)));
        assert.equal(race.filter(Boolean).length, 2, 'two uses, whoever races');
        assert.equal(await store.registrationTokens.find('h-a', NOW), null, 'used up');
        assert.equal((await store.registrationTokens.list()).find((x) => x.id === 'a')?.uses, 2);
        assert.equal(await store.registrationTokens.purge(NOW + 11, 10), 1);
        assert.deepEqual((await store.registrationTokens.list()).map((x) => x.id), ['a']);
        assert.equal(await store.registrationTokens.delete('a'), true);
        assert.equal(await store.registrationTokens.delete('a'), false);
      });
    });

    describe('users', () => {
      it('creates and returns the stored row', async () => {
        const alice = user('alice', {
          email: 'a@example.com', name: 'Alice', roles: ['admin', 'ops'], participant_code: 'p1', disabled: true, tokens_not_before: NOW + 1,
        });
        assert.deepEqual(await store.users.upsert(alice), alice);
        assert.deepEqual(await store.users.getById('u-alice'), alice);
        assert.deepEqual(await store.users.getByUsername('alice'), alice);
      });

      it('setLock returns the user id, never shortens a later lock, clears on null; upsert leaves it alone', async () => {
        assert.equal(await store.users.setLock('nobody', LATER), null);
        await store.users.upsert(user('alice'));
        assert.equal(await store.users.setLock('alice', LATER), 'u-alice');
        assert.equal((await store.users.getByUsername('alice'))?.locked_until, LATER);
        assert.equal(await store.users.setLock('alice', NOW), 'u-alice');
        assert.equal((await store.users.getById('u-alice'))?.locked_until, LATER);
        const stored = await store.users.upsert(user('alice', { roles: ['x'], locked_until: null }));
        assert.equal(stored.locked_until, LATER);
        assert.equal((await store.users.list())[0]?.locked_until, LATER);
        await store.tokens.persistIssue({ family: family('f-l'), refresh: refresh('h-l', 'f-l', { user_id: 'u-alice' }) }, NOW);
        assert.equal((await store.tokens.findRefresh('h-l'))?.user?.locked_until, LATER);
        assert.equal(await store.users.setLock('alice', null), 'u-alice');
        assert.equal((await store.users.getByUsername('alice'))?.locked_until, null);
      });

      it('update by username keeps id and created_at and returns the stored row', async () => {
        await store.users.upsert(user('alice'));
        const next = user('alice', { id: 'other-id', password_hash: 'new', roles: ['ops'], created_at: NOW + 9, updated_at: NOW + 9 });
        const stored = await store.users.upsert(next);
        assert.deepEqual(stored, { ...next, id: 'u-alice', created_at: NOW });
        assert.deepEqual(await store.users.getById('u-alice'), stored);
        assert.equal(await store.users.getById('other-id'), null);
      });

      it('lists by username and deletes', async () => {
        await store.users.upsert(user('alice'));
        await store.users.upsert(user('bob'));
        await store.users.upsert(user('Zed'));
        assert.deepEqual((await store.users.list()).map((u) => u.username), ['Zed', 'alice', 'bob']);
        assert.equal(await store.users.delete('bob'), true);
        assert.equal(await store.users.delete('bob'), false);
        assert.equal(await store.users.getByUsername('bob'), null);
        assert.equal(await store.users.getById('u-bob'), null);
      });
    });

    describe('participants', () => {
      it('creates, updates keeping created_at, lists, deletes', async () => {
        assert.equal(await store.participants.get('p2'), null);
        const p2 = participant('p2', { name: 'Two', roles: ['payer'] });
        await store.participants.upsert(p2);
        assert.deepEqual(await store.participants.get('p2'), p2);

        const changed = participant('p2', { name: null, roles: ['provider', 'payer'], created_at: NOW + 7, updated_at: NOW + 7 });
        await store.participants.upsert(changed);
        assert.deepEqual(await store.participants.get('p2'), { ...changed, created_at: NOW });

        await store.participants.upsert(participant('p1'));
        assert.deepEqual((await store.participants.list()).map((p) => p.participant_code), ['p1', 'p2']);
        assert.equal(await store.participants.delete('p1'), true);
        assert.equal(await store.participants.delete('p1'), false);
        assert.deepEqual((await store.participants.list()).map((p) => p.participant_code), ['p2']);
      });
    });

    describe('keys', () => {
      it('lists oldest first, retires others of the same alg, deletes retired keys strictly before', async () => {
        assert.deepEqual(await store.keys.list(), []);
        const k1 = key('k1', 'ES256', 100);
        const k2 = key('k2', 'ES256', 200);
        const k3 = key('k3', 'RS256', 150);
        for (const k of [k2, k1, k3]) await store.keys.insert(k);
        assert.deepEqual(await store.keys.list(), [k1, k3, k2]);

        await store.keys.retireOthers('ES256', 'k2', 300);
        assert.deepEqual(await store.keys.list(), [{ ...k1, retired_at: 300 }, k3, k2]);
        // An already retired key keeps its first retirement time.
        await store.keys.retireOthers('ES256', 'k2', 400);
        assert.deepEqual(await store.keys.list(), [{ ...k1, retired_at: 300 }, k3, k2]);

        assert.equal(await store.keys.deleteRetiredBefore(300), 0);
        assert.equal(await store.keys.deleteRetiredBefore(301), 1);
        assert.deepEqual(await store.keys.list(), [k3, k2]);
      });

      it('keeps a key\'s activation time; a successor published ahead retires the others as of its activation', async () => {
        const k1 = key('k1', 'ES256', 100);
        const k2 = key('k2', 'ES256', 200, 800);
        await store.keys.insert(k1);
        await store.keys.insert(k2);
        await store.keys.retireOthers('ES256', 'k2', 800);
        assert.deepEqual(await store.keys.list(), [{ ...k1, retired_at: 800 }, k2]);
        // Retired in the future: not deletable before then.
        assert.equal(await store.keys.deleteRetiredBefore(500), 0);
        assert.equal(await store.keys.list().then((l) => l.length), 2);
      });
    });

    describe('tokens', () => {
      beforeEach(async () => {
        await store.clients.upsert(client('tok-client'));
      });
      /** Family f1 with refresh token h2 and access token a2: rows a case reads but does not test. */
      const seedF1 = () => store.tokens.persistIssue({ family: family('f1'), refresh: refresh('h2', 'f1'), access: access('a2', 'f1') }, NOW);

      it('persistIssue writes family, refresh and access; find reads them back', async () => {
        const ok = await store.tokens.persistIssue({ family: family('f1'), refresh: refresh('h1', 'f1'), access: access('a1', 'f1') }, NOW);
        assert.equal(ok, true);
        assert.deepEqual(await store.tokens.findRefresh('h1'), { ...refresh('h1', 'f1'), used_at: null, ...NO_SUCCESSOR, family_revoked_at: null, family_created_at: NOW, user: null });
        assert.deepEqual(await store.tokens.findAccess('a1'), { ...access('a1', 'f1'), revoked_at: null, family_revoked_at: null });
        assert.equal(await store.tokens.findRefresh('missing'), null);
        assert.equal(await store.tokens.findAccess('missing'), null);
      });

      it('findRefresh brings the token\'s user along (one query)', async () => {
        const u = await store.users.upsert({
          id: 'rt-user-id', username: 'rt-user', password_hash: 'h', email: null, name: null, roles: ['r1'],
          email_verified: false, given_name: null, family_name: null, picture: null, locale: null,
          participant_code: null, managed_by: null, created_at: NOW, updated_at: NOW, disabled: false, tokens_not_before: null, locked_until: null,
        });
        await store.tokens.persistIssue({ family: family('f-u'), refresh: refresh('h-u', 'f-u', { user_id: u.id }) }, NOW);
        assert.deepEqual((await store.tokens.findRefresh('h-u'))?.user, u);
        await store.users.delete('rt-user');
        assert.equal((await store.tokens.findRefresh('h-u'))?.user, null);
      });

      it('stores nulls and access tokens without a family', async () => {
        await store.tokens.persistIssue({ family: family('f1') }, NOW);
        const r = refresh('h-null', 'f1', { user_id: null, resource: null });
        const a = access('a-nofam', null, { user_id: null, format: 'jwt' });
        assert.equal(await store.tokens.persistIssue({ refresh: r, access: a }, NOW), true);
        assert.deepEqual(await store.tokens.findRefresh('h-null'), { ...r, used_at: null, ...NO_SUCCESSOR, family_revoked_at: null, family_created_at: NOW, user: null });
        assert.deepEqual(await store.tokens.findAccess('a-nofam'), { ...a, revoked_at: null, family_revoked_at: null });
      });

      it('consuming a refresh token succeeds once; the second attempt writes nothing', async () => {
        await store.tokens.persistIssue({ family: family('f1'), refresh: refresh('h1', 'f1'), access: access('a1', 'f1') }, NOW);
        const first = await store.tokens.persistIssue(
          { consume: { kind: 'refresh_token', hash: 'h1' }, refresh: refresh('h2', 'f1'), access: access('a2', 'f1') }, NOW + 10);
        assert.equal(first, true);
        assert.equal((await store.tokens.findRefresh('h1'))?.used_at, NOW + 10);
        assert.equal((await store.tokens.findRefresh('h2'))?.used_at, null);
        assert.notEqual(await store.tokens.findAccess('a2'), null);

        const again = await store.tokens.persistIssue(
          { consume: { kind: 'refresh_token', hash: 'h1' }, family: family('f-again'), refresh: refresh('h3', 'f-again'), access: access('a3', 'f1') },
          NOW + 20);
        assert.equal(again, false);
        assert.equal((await store.tokens.findRefresh('h1'))?.used_at, NOW + 10);
        assert.equal(await store.tokens.findRefresh('h3'), null);
        assert.equal(await store.tokens.findAccess('a3'), null);
        // The family insert was rolled back too: the id is still free.
        assert.equal(await store.tokens.persistIssue({ family: family('f-again'), refresh: refresh('h3b', 'f-again') }, NOW), true);
      });

      it('consume records the successor; forgetSuccessors clears expired encrypted successors only', async () => {
        await store.tokens.persistIssue({ family: family('f-s'), refresh: refresh('s1', 'f-s') }, NOW);
        await store.tokens.persistIssue({ refresh: refresh('s2', 'f-s') }, NOW);
        await store.tokens.persistIssue({ refresh: refresh('s3', 'f-s') }, NOW);
        assert.equal(await store.tokens.persistIssue({
          consume: { kind: 'refresh_token', hash: 's1', successor: { hash: 's2', enc: 'v1.sealed-s2', until: NOW + 30 } },
        }, NOW + 1), true);
        assert.equal(await store.tokens.persistIssue({
          consume: { kind: 'refresh_token', hash: 's2', successor: { hash: 's3', enc: null, until: null } },
        }, NOW + 2), true);
        const s1 = await store.tokens.findRefresh('s1');
        assert.deepEqual([s1?.used_at, s1?.successor_hash, s1?.successor_enc, s1?.successor_until], [NOW + 1, 's2', 'v1.sealed-s2', NOW + 30]);
        const s2 = await store.tokens.findRefresh('s2');
        assert.deepEqual([s2?.used_at, s2?.successor_hash, s2?.successor_enc, s2?.successor_until], [NOW + 2, 's3', null, null]);
        // A consume without a successor (the client lost its refresh_token grant) records none.
        assert.equal(await store.tokens.persistIssue({ consume: { kind: 'refresh_token', hash: 's3' } }, NOW + 3), true);
        assert.deepEqual({ ...(await store.tokens.findRefresh('s3')), user: null }, { ...refresh('s3', 'f-s'), used_at: NOW + 3, ...NO_SUCCESSOR, family_revoked_at: null, family_created_at: NOW, user: null });

        // Strictly before: the last second of the period still holds it.
        assert.equal(await store.tokens.forgetSuccessors(NOW + 30, 1000), 0);
        assert.equal(await store.tokens.forgetSuccessors(NOW + 31, 1000), 1);
        const gone = await store.tokens.findRefresh('s1');
        assert.deepEqual([gone?.used_at, gone?.successor_hash, gone?.successor_enc, gone?.successor_until], [NOW + 1, 's2', null, null]);
        assert.equal(await store.tokens.forgetSuccessors(NOW + 31, 1000), 0);
      });

      it('consuming an unknown hash returns false and writes nothing', async () => {
        assert.equal(await store.tokens.persistIssue({ consume: { kind: 'refresh_token', hash: 'nope' }, refresh: refresh('h-x', 'f1'), access: access('a-x', 'f1') }, NOW), false);
        assert.equal(await store.tokens.findRefresh('h-x'), null);
        assert.equal(await store.tokens.findAccess('a-x'), null);
      });

      it('a failing write rolls back the consumption', async () => {
        await seedF1();
        await store.tokens.persistIssue({ family: family('f-rb'), refresh: refresh('h-rb', 'f-rb') }, NOW);
        // 'h2' already exists: the refresh insert violates the primary key.
        await assert.rejects(store.tokens.persistIssue(
          { consume: { kind: 'refresh_token', hash: 'h-rb' }, family: family('f-rb2'), refresh: refresh('h2', 'f-rb2'), access: access('a-rb', 'f-rb2') },
          NOW + 5));
        assert.equal((await store.tokens.findRefresh('h-rb'))?.used_at, null);
        assert.equal(await store.tokens.findAccess('a-rb'), null);
        // Same with the last statement failing ('a2' exists): family and refresh go too.
        await assert.rejects(store.tokens.persistIssue(
          { consume: { kind: 'refresh_token', hash: 'h-rb' }, family: family('f-rb2'), refresh: refresh('h-rb2', 'f-rb2'), access: access('a2', 'f-rb2') },
          NOW + 5));
        assert.equal((await store.tokens.findRefresh('h-rb'))?.used_at, null);
        assert.equal(await store.tokens.persistIssue({ consume: { kind: 'refresh_token', hash: 'h-rb' }, family: family('f-rb2') }, NOW + 6), true);
        // Checked once f-rb2 exists, since findRefresh only sees tokens whose family row exists.
        assert.equal(await store.tokens.findRefresh('h-rb2'), null);
      });

      it('two concurrent consumes of one hash: exactly one succeeds (20 rounds)', async () => {
        for (let i = 0; i < 20; i++) {
          const fam = `f-race-${i}`;
          await store.tokens.persistIssue({ family: family(fam), refresh: refresh(`race-${i}`, fam) }, NOW);
          const results = await Promise.all(['a', 'b'].map((side) =>
            store.tokens.persistIssue(
              { consume: { kind: 'refresh_token', hash: `race-${i}` }, refresh: refresh(`race-${i}-${side}`, fam), access: access(`race-a-${i}-${side}`, fam) },
              NOW + 1)));
          assert.equal(results.filter((r) => r).length, 1, `round ${i}: ${JSON.stringify(results)}`);
          const winner = results[0] ? 'a' : 'b';
          const loser = results[0] ? 'b' : 'a';
          assert.notEqual(await store.tokens.findRefresh(`race-${i}-${winner}`), null);
          assert.equal(await store.tokens.findRefresh(`race-${i}-${loser}`), null);
          assert.equal(await store.tokens.findAccess(`race-a-${i}-${loser}`), null);
        }
      });

      it('revokeFamily shows on findRefresh and on the family access tokens only', async () => {
        await store.tokens.persistIssue({ family: family('f-rev'), refresh: refresh('h-rev', 'f-rev'), access: access('a-rev', 'f-rev') }, NOW);
        await store.tokens.persistIssue({ family: family('f-keep'), refresh: refresh('h-keep', 'f-keep'), access: access('a-keep', 'f-keep') }, NOW);
        await store.tokens.revokeFamily('f-rev', NOW + 30);
        assert.equal((await store.tokens.findRefresh('h-rev'))?.family_revoked_at, NOW + 30);
        const a = await store.tokens.findAccess('a-rev');
        assert.equal(a?.family_revoked_at, NOW + 30);
        assert.equal(a?.revoked_at, null);
        assert.equal((await store.tokens.findRefresh('h-keep'))?.family_revoked_at, null);
        assert.equal((await store.tokens.findAccess('a-keep'))?.family_revoked_at, null);

        // revokeUserFamilies ends every family of one user, and only those.
        await store.tokens.persistIssue({ family: { ...family('f-usr-1'), user_id: 'usr-x' }, refresh: refresh('h-usr-1', 'f-usr-1') }, NOW);
        await store.tokens.persistIssue({ family: { ...family('f-usr-2'), user_id: 'usr-x' } }, NOW);
        assert.equal(await store.tokens.revokeUserFamilies('usr-x', NOW + 35), 2);
        assert.equal((await store.tokens.findRefresh('h-usr-1'))?.family_revoked_at, NOW + 35);
        assert.equal((await store.tokens.findFamily('f-keep'))?.revoked_at, null);
        assert.equal(await store.tokens.revokeUserFamilies('usr-x', NOW + 36), 0);

        // findFamily reads the family itself (JWTs name theirs in `sid`).
        assert.deepEqual(await store.tokens.findFamily('f-rev'), { ...family('f-rev'), revoked_at: NOW + 30, sid: null, auth_time: null, acr: null });
        assert.equal((await store.tokens.findFamily('f-keep'))?.revoked_at, null);
        assert.equal(await store.tokens.findFamily('no-such-family'), null);

        // A second revocation keeps the first time.
        await store.tokens.revokeFamily('f-rev', NOW + 40);
        assert.equal((await store.tokens.findRefresh('h-rev'))?.family_revoked_at, NOW + 30);
        // A token of a revoked family cannot be consumed.
        assert.equal(await store.tokens.persistIssue({ consume: { kind: 'refresh_token', hash: 'h-rev' }, refresh: refresh('h-rev2', 'f-rev') }, NOW + 50), false);
        assert.equal((await store.tokens.findRefresh('h-rev'))?.used_at, null);
        assert.equal(await store.tokens.findRefresh('h-rev2'), null);
      });

      it('revokeClientTokens revokes the client\'s families and access tokens, not other clients\'', async () => {
        await store.tokens.persistIssue({
          family: family('f-cli', 'cli-x'),
          refresh: refresh('h-cli', 'f-cli', { client_id: 'cli-x' }),
          access: access('a-cli-fam', 'f-cli', { client_id: 'cli-x' }),
        }, NOW);
        await store.tokens.persistIssue({ access: access('a-cli-cc', null, { client_id: 'cli-x', user_id: null }) }, NOW);
        await store.tokens.persistIssue({ family: family('f-cli-other', 'cli-y'), access: access('a-cli-other', null, { client_id: 'cli-y' }) }, NOW);

        // One family and two access tokens.
        assert.equal(await store.tokens.revokeClientTokens('cli-x', NOW + 70), 3);
        assert.equal((await store.tokens.findRefresh('h-cli'))?.family_revoked_at, NOW + 70);
        assert.equal((await store.tokens.findAccess('a-cli-fam'))?.revoked_at, NOW + 70);
        assert.equal((await store.tokens.findAccess('a-cli-cc'))?.revoked_at, NOW + 70);
        assert.equal((await store.tokens.findFamily('f-cli-other'))?.revoked_at, null);
        assert.equal((await store.tokens.findAccess('a-cli-other'))?.revoked_at, null);
        // Already revoked rows keep their first time.
        assert.equal(await store.tokens.revokeClientTokens('cli-x', NOW + 80), 0);
        assert.equal((await store.tokens.findAccess('a-cli-cc'))?.revoked_at, NOW + 70);
      });

      it('findRefresh reads the family\'s creation time, not the token\'s', async () => {
        await store.tokens.persistIssue({ family: family('f-age') }, NOW);
        await store.tokens.persistIssue({ refresh: refresh('h-age', 'f-age', { created_at: NOW + 500 }) }, NOW + 500);
        const rt = await store.tokens.findRefresh('h-age');
        assert.equal(rt?.created_at, NOW + 500);
        assert.equal(rt?.family_created_at, NOW);
      });

      it('revokeAccess inserts a revoked record for an unknown id and updates a known one', async () => {
        await store.tokens.persistIssue({ family: family('f-keep'), access: access('a-keep', 'f-keep') }, NOW);
        await store.tokens.persistIssue({ access: access('a-nofam', null, { user_id: null, format: 'jwt' }) }, NOW);
        const jwt = access('jti-unknown', null, { format: 'jwt' });
        await store.tokens.revokeAccess('jti-unknown', NOW + 60, jwt);
        assert.deepEqual(await store.tokens.findAccess('jti-unknown'), { ...jwt, revoked_at: NOW + 60, family_revoked_at: null });

        await store.tokens.revokeAccess('a-keep', NOW + 61, null);
        assert.deepEqual(await store.tokens.findAccess('a-keep'),
          { ...access('a-keep', 'f-keep'), revoked_at: NOW + 61, family_revoked_at: null });

        // A known row keeps its own fields and first revocation time, whatever record is passed.
        await store.tokens.revokeAccess('a-keep', NOW + 62, access('a-keep', null, { claims: '{"other":true}' }));
        assert.deepEqual(await store.tokens.findAccess('a-keep'),
          { ...access('a-keep', 'f-keep'), revoked_at: NOW + 61, family_revoked_at: null });
        await store.tokens.revokeAccess('a-nofam', NOW + 63, access('a-nofam', null, { claims: '{"other":true}' }));
        const nofam = await store.tokens.findAccess('a-nofam');
        assert.equal(nofam?.revoked_at, NOW + 63);
        assert.equal(nofam?.claims, '{"jti":"a-nofam"}');

        // Unknown id without a record: nothing to remember.
        await store.tokens.revokeAccess('jti-none', NOW + 64, null);
        assert.equal(await store.tokens.findAccess('jti-none'), null);
      });

      it('purgeExpired removes expired rows and families left empty', async () => {
        await seedF1();
        await store.tokens.revokeAccess('jti-unknown', NOW + 60, access('jti-unknown', null, { format: 'jwt' }));
        await store.tokens.persistIssue(
          { family: family('f-old'), refresh: refresh('h-old', 'f-old', { expires_at: 100 }), access: access('a-old', 'f-old', { expires_at: 100 }) }, 50);
        await store.tokens.persistIssue({ refresh: refresh('h-old2', 'f1', { expires_at: 999 }) }, 50);
        await store.tokens.persistIssue({ refresh: refresh('h-edge', 'f1', { expires_at: 1000 }) }, 50);

        assert.equal(await store.tokens.purgeExpired(1000, 1000), 3);
        assert.equal(await store.tokens.findRefresh('h-old'), null);
        assert.equal(await store.tokens.findRefresh('h-old2'), null);
        assert.equal(await store.tokens.findAccess('a-old'), null);
        assert.notEqual(await store.tokens.findRefresh('h-edge'), null);
        assert.notEqual(await store.tokens.findRefresh('h2'), null);
        assert.notEqual(await store.tokens.findAccess('jti-unknown'), null);
        // f-old had no tokens left, so it went; f1 still has tokens, so it stayed.
        assert.equal(await store.tokens.persistIssue({ family: family('f-old') }, NOW), true);
        await assert.rejects(store.tokens.persistIssue({ family: family('f1') }, NOW));
        assert.equal(await store.tokens.purgeExpired(1000, 1000), 0);
      });

      it('purgeExpired works in batches of at most `limit` rows per table; revoked families stay until their tokens expire', async () => {
        await seedF1();
        // f-exp: 5 expired refresh tokens (some rotated) and 3 expired access tokens.
        await store.tokens.persistIssue({ family: family('f-exp') }, 50);
        for (let i = 0; i < 5; i++) await store.tokens.persistIssue({ refresh: refresh(`hx-${i}`, 'f-exp', { expires_at: 100 + i }) }, 50);
        await store.tokens.persistIssue({ consume: { kind: 'refresh_token', hash: 'hx-0', successor: { hash: 'hx-1', enc: null, until: null } } }, 60);
        for (let i = 0; i < 3; i++) await store.tokens.persistIssue({ access: access(`ax-${i}`, 'f-exp', { expires_at: 100 }) }, 50);
        // f-revoked: revoked, its tokens still live: kept, so a replay is still refused as revoked.
        await store.tokens.persistIssue({ family: family('f-revoked'), refresh: refresh('h-revoked', 'f-revoked'), access: access('a-revoked', 'f-revoked') }, NOW);
        await store.tokens.revokeFamily('f-revoked', NOW + 1);
        // f-rev-old: revoked and expired: goes.
        await store.tokens.persistIssue({ family: family('f-rev-old'), refresh: refresh('h-rev-old', 'f-rev-old', { expires_at: 200 }) }, 50);
        await store.tokens.revokeFamily('f-rev-old', 60);

        const batches: number[] = [];
        for (let n = -1; n !== 0;) batches.push((n = await store.tokens.purgeExpired(1000, 2)));
        // 6 refresh + 3 access rows, at most 2 of each per batch.
        assert.deepEqual(batches, [4, 3, 2, 0]);
        for (const h of ['hx-0', 'hx-4', 'h-rev-old']) assert.equal(await store.tokens.findRefresh(h), null);
        assert.equal(await store.tokens.findAccess('ax-2'), null);
        assert.equal(await store.tokens.findFamily('f-exp'), null);
        assert.equal(await store.tokens.findFamily('f-rev-old'), null);
        assert.equal((await store.tokens.findRefresh('h-revoked'))?.family_revoked_at, NOW + 1);
        assert.equal((await store.tokens.findAccess('a-revoked'))?.family_revoked_at, NOW + 1);
        assert.notEqual(await store.tokens.findRefresh('h2'), null);
        assert.notEqual(await store.tokens.findFamily('f1'), null);
      });

      it('forgetSuccessors works in batches', async () => {
        await store.tokens.persistIssue({ family: family('f-fs') }, NOW);
        for (let i = 0; i < 5; i++) {
          await store.tokens.persistIssue({ refresh: refresh(`fs-${i}`, 'f-fs') }, NOW);
          await store.tokens.persistIssue({ consume: { kind: 'refresh_token', hash: `fs-${i}`, successor: { hash: `n-${i}`, enc: 'v1.x', until: NOW + i } } }, NOW);
        }
        assert.equal(await store.tokens.forgetSuccessors(NOW + 3, 2), 2);
        assert.equal(await store.tokens.forgetSuccessors(NOW + 3, 2), 1);
        assert.equal(await store.tokens.forgetSuccessors(NOW + 3, 2), 0);
        assert.equal((await store.tokens.findRefresh('fs-3'))?.successor_enc, 'v1.x');
        assert.equal((await store.tokens.findRefresh('fs-2'))?.successor_enc, null);
        assert.equal((await store.tokens.findRefresh('fs-2'))?.successor_hash, 'n-2');
      });

      it('deleting a client deletes its tokens and families, not other clients\'', async () => {
        await seedF1();
        await store.clients.upsert(client('gone'));
        await store.tokens.persistIssue({
          family: family('f-gone', 'gone'),
          refresh: refresh('h-gone', 'f-gone', { client_id: 'gone' }),
          access: access('a-gone', 'f-gone', { client_id: 'gone' }),
        }, NOW);
        await store.tokens.revokeAccess('jti-gone', NOW, access('jti-gone', null, { client_id: 'gone' }));

        assert.equal(await store.clients.delete('gone'), true);
        assert.equal(await store.clients.get('gone'), null);
        assert.equal(await store.tokens.findRefresh('h-gone'), null);
        assert.equal(await store.tokens.findAccess('a-gone'), null);
        assert.equal(await store.tokens.findAccess('jti-gone'), null);
        assert.notEqual(await store.tokens.findRefresh('h2'), null);
        assert.notEqual(await store.tokens.findAccess('a2'), null);
        // The family row went too: its id can be used again.
        assert.equal(await store.tokens.persistIssue({ family: family('f-gone') }, NOW), true);
      });
    });
  });
}

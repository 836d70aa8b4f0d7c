// The storage contract of browser sign-in (src/core/store.ts CodeRepo, BrowserSessionRepo,
// ConsentRepo, and the authorization-code consume): the same suite on every adapter.
import { describe, it, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import type { NewAuthorizationCode, NewBrowserSession, Store } from '../../src/core/store.js';
import { BACKENDS, freshStoreEachTest } from '../helpers/stores.js';

const NOW = 1_700_000_000;

const code = (hash: string, o: Partial<NewAuthorizationCode> = {}): NewAuthorizationCode => ({
  hash, client_id: 'web', user_id: 'u1', redirect_uri: 'https://app.example/cb', redirect_uri_given: false, scope: 'openid profile', resource: null,
  code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256', nonce: 'n-1',
  auth_time: NOW - 10, acr: null, sid: 'sid-1', expires_at: NOW + 60, created_at: NOW, ...o,
});

const session = (idHash: string, o: Partial<NewBrowserSession> = {}): NewBrowserSession => ({
  id_hash: idHash, sid: `sid-${idHash}`, user_id: 'u1', auth_time: NOW, acr: null, created_at: NOW, expires_at: NOW + 3600, ...o,
});

for (const kind of BACKENDS) {
  describe(`sign-in store contract: ${kind}`, () => {
    const current = freshStoreEachTest(kind);
    let store: Store;
    beforeEach(() => { store = current(); });

    it('an authorization code is stored, found by hash, and consumed exactly once, recording its family', async () => {
      await store.codes.insert(code('c1'));
      assert.deepEqual(await store.codes.find('c1'), { ...code('c1'), used_at: null, family_id: null });
      assert.equal(await store.codes.find('nope'), null);
      const exchange = (fam: string) => store.tokens.persistIssue({
        consume: { kind: 'authorization_code', hash: 'c1', family_id: fam },
        family: { id: fam, client_id: 'web', user_id: 'u1', created_at: NOW, sid: 'sid-1', auth_time: NOW - 10, acr: 'urn:x' },
      }, NOW + 1);
      // Concurrent exchanges: exactly one writes (RFC 6749 §4.1.2).
      const results = await Promise.all([exchange('fa'), exchange('fb'), exchange('fc')]);
      assert.equal(results.filter(Boolean).length, 1);
      const winner = ['fa', 'fb', 'fc'][results.indexOf(true)]!;
      const used = await store.codes.find('c1');
      assert.equal(used?.used_at, NOW + 1);
      assert.equal(used?.family_id, winner);
      const fam = await store.tokens.findFamily(winner);
      assert.deepEqual({ sid: fam?.sid, auth_time: fam?.auth_time, acr: fam?.acr }, { sid: 'sid-1', auth_time: NOW - 10, acr: 'urn:x' });
      for (const f of ['fa', 'fb', 'fc'].filter((x) => x !== winner)) assert.equal(await store.tokens.findFamily(f), null);
    });

    it('an expired code cannot be consumed; the purge removes expired codes, used or not, and keeps live ones', async () => {
      await store.codes.insert(code('old', { expires_at: NOW - 1 }));
      await store.codes.insert(code('live'));
      assert.equal(await store.tokens.persistIssue({ consume: { kind: 'authorization_code', hash: 'old' } }, NOW), false);
      assert.equal(await store.codes.purge(NOW, 10), 1);
      assert.equal(await store.codes.find('old'), null);
      assert.notEqual(await store.codes.find('live'), null);
    });

    it('revokeSessionFamilies revokes the families of one browser session only', async () => {
      const fam = (id: string, sid: string | null) => store.tokens.persistIssue({ family: { id, client_id: 'web', user_id: 'u1', created_at: NOW, sid } }, NOW);
      await fam('s1a', 'S1'); await fam('s1b', 'S1'); await fam('s2', 'S2'); await fam('offline', null);
      assert.equal(await store.tokens.revokeSessionFamilies('S1', NOW + 5), 2);
      assert.equal((await store.tokens.findFamily('s1a'))?.revoked_at, NOW + 5);
      assert.equal((await store.tokens.findFamily('s2'))?.revoked_at, null);
      assert.equal((await store.tokens.findFamily('offline'))?.revoked_at, null);
      assert.equal(await store.tokens.revokeSessionFamilies('S1', NOW + 6), 0);
    });

    it('browser sessions: live by cookie hash until they expire or end; per user; purged', async () => {
      await store.sessions.create(session('h1'));
      await store.sessions.create(session('h2', { created_at: NOW + 1 }));
      await store.sessions.create(session('h3', { user_id: 'u2' }));
      assert.deepEqual(await store.sessions.get('h1', NOW), { ...session('h1'), ended_at: null });
      assert.equal(await store.sessions.get('h1', NOW + 3600), null, 'expired');
      assert.equal((await store.sessions.getBySid('sid-h2'))?.id_hash, 'h2');
      assert.deepEqual((await store.sessions.listForUser('u1', NOW)).map((s) => s.sid), ['sid-h2', 'sid-h1']);
      assert.equal(await store.sessions.end('sid-h1', NOW + 2), true);
      assert.equal(await store.sessions.end('sid-h1', NOW + 3), false);
      assert.equal(await store.sessions.get('h1', NOW + 3), null, 'ended');
      assert.equal((await store.sessions.getBySid('sid-h1'))?.ended_at, NOW + 2);
      assert.equal(await store.sessions.endForUser('u2', NOW + 4), 1);
      assert.equal(await store.sessions.get('h3', NOW + 4), null);
      assert.notEqual(await store.sessions.get('h2', NOW + 4), null);
      // Ended ones (h1, h3) go; h2 is live until NOW + 3600.
      assert.equal(await store.sessions.purge(NOW + 10, 100), 2);
      assert.notEqual(await store.sessions.get('h2', NOW + 10), null);
    });

    it('consent: scopes add up per user and client; revoke forgets; list per user', async () => {
      const first = await store.consents.grant('u1', 'web', 'openid profile', NOW);
      assert.deepEqual(first, { user_id: 'u1', client_id: 'web', scope: 'openid profile', created_at: NOW, updated_at: NOW });
      const more = await store.consents.grant('u1', 'web', 'email openid', NOW + 5);
      assert.deepEqual(more, { user_id: 'u1', client_id: 'web', scope: 'openid profile email', created_at: NOW, updated_at: NOW + 5 });
      assert.deepEqual(await store.consents.get('u1', 'web'), more);
      await store.consents.grant('u1', 'app', 'openid', NOW);
      await store.consents.grant('u2', 'web', 'openid', NOW);
      assert.deepEqual((await store.consents.listForUser('u1')).map((c) => c.client_id), ['app', 'web']);
      assert.equal(await store.consents.revoke('u1', 'web'), true);
      assert.equal(await store.consents.revoke('u1', 'web'), false);
      assert.equal(await store.consents.get('u1', 'web'), null);
      assert.notEqual(await store.consents.get('u2', 'web'), null);
    });

    it('deleting a client deletes its codes and consents', async () => {
      const { clientFromConfig } = await import('../../src/entities.js');
      await store.clients.upsert(await clientFromConfig({ client_id: 'web', client_secret: 'x'.repeat(32), grant_types: ['authorization_code'], scope: 'openid', token_endpoint_auth_method: 'client_secret_basic', access_token_format: 'jwt', resources: [], redirect_uris: ['https://app.example/cb'] }, null));
      await store.codes.insert(code('c-del'));
      await store.consents.grant('u1', 'web', 'openid', NOW);
      assert.equal(await store.clients.delete('web'), true);
      assert.equal(await store.codes.find('c-del'), null);
      assert.equal(await store.consents.get('u1', 'web'), null);
    });
  });
}

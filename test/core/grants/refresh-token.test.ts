import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { refreshTokenGrant } from '../../../src/core/grants/refresh_token.js';
import { hashToken } from '../../../src/core/secrets.js';
import type { Store } from '../../../src/core/store.js';
import { BACKENDS } from '../../helpers/stores.js';
import { addClient, addUser, harness, now, type Harness } from '../harness.js';

async function seedRefresh(store: Store, opts: { token: string; family: string; client: string; userId: string; scope: string; expires: number }) {
  await store.tokens.persistIssue({
    family: { id: opts.family, client_id: opts.client, user_id: opts.userId, created_at: now() },
    refresh: { hash: hashToken(opts.token), family_id: opts.family, client_id: opts.client, user_id: opts.userId, scope: opts.scope, resource: null, expires_at: opts.expires, created_at: now() },
  }, now());
}

for (const backend of BACKENDS) {
  describe(`refresh_token grant (${backend})`, () => {
    let h: Harness;
    let userId: string;
    before(async () => {
      h = await harness(backend);
      userId = (await addUser(h.store, 'dave', 'pw')).id;
      await addClient(h.store, { client_id: 'r1', grant_types: ['password', 'refresh_token'], scope: 'a b c' });
      await addClient(h.store, { client_id: 'r2', grant_types: ['password', 'refresh_token'], scope: 'a b c' });
    });
    after(async () => { await h.close(); });
    const client = async (id: string) => (await h.store.clients.get(id))!;

    it('accepts a live token, keeps its scope, and marks it for rotation', async () => {
      await seedRefresh(h.store, { token: 't1', family: 'f1', client: 'r1', userId, scope: 'a b', expires: now() + 100 });
      const o = await refreshTokenGrant({ tokens: h.store.tokens, seal: h.seal }).handle({ client: await client('r1'), params: { refresh_token: 't1' }, now: now() });
      assert.equal(o.scope, 'a b');
      assert.equal(o.user?.id, userId);
      assert.equal(o.rotated?.family_id, 'f1');
    });

    it('narrows scope, refuses to widen it', async () => {
      await seedRefresh(h.store, { token: 't2', family: 'f2', client: 'r1', userId, scope: 'a b', expires: now() + 100 });
      const o = await refreshTokenGrant({ tokens: h.store.tokens, seal: h.seal }).handle({ client: await client('r1'), params: { refresh_token: 't2', scope: 'a' }, now: now() });
      assert.equal(o.scope, 'a');
      await assert.rejects(refreshTokenGrant({ tokens: h.store.tokens, seal: h.seal }).handle({ client: await client('r1'), params: { refresh_token: 't2', scope: 'a c' }, now: now() }), { code: 'invalid_scope' });
    });

    it('is bound to its client, and expiry is enforced', async () => {
      await seedRefresh(h.store, { token: 't3', family: 'f3', client: 'r1', userId, scope: 'a', expires: now() + 100 });
      await assert.rejects(refreshTokenGrant({ tokens: h.store.tokens, seal: h.seal }).handle({ client: await client('r2'), params: { refresh_token: 't3' }, now: now() }), { code: 'invalid_grant' });
      await seedRefresh(h.store, { token: 't4', family: 'f4', client: 'r1', userId, scope: 'a', expires: now() - 1 });
      await assert.rejects(refreshTokenGrant({ tokens: h.store.tokens, seal: h.seal }).handle({ client: await client('r1'), params: { refresh_token: 't4' }, now: now() }), { code: 'invalid_grant', description: 'refresh token has expired' });
    });

    it('reuse of a rotated token revokes the whole family (RFC 9700 §4.14.2)', async () => {
      await seedRefresh(h.store, { token: 't5', family: 'f5', client: 'r1', userId, scope: 'a', expires: now() + 100 });
      assert.equal(await h.store.tokens.persistIssue({ consume: { kind: 'refresh_token', hash: hashToken('t5'), successor: { hash: hashToken('t5-next'), enc: null, until: null } } }, now() - 10), true);
      await h.store.tokens.persistIssue({
        refresh: { hash: hashToken('t5-next'), family_id: 'f5', client_id: 'r1', user_id: userId, scope: 'a', resource: null, expires_at: now() + 100, created_at: now() },
      }, now());
      await assert.rejects(refreshTokenGrant({ tokens: h.store.tokens, seal: h.seal }).handle({ client: await client('r1'), params: { refresh_token: 't5' }, now: now() }), { code: 'invalid_grant' });
      const next = await h.store.tokens.findRefresh(hashToken('t5-next'));
      assert.notEqual(next?.family_revoked_at, null);
      await assert.rejects(refreshTokenGrant({ tokens: h.store.tokens, seal: h.seal }).handle({ client: await client('r1'), params: { refresh_token: 't5-next' }, now: now() }), { code: 'invalid_grant', description: 'refresh token has been revoked' });
    });

    it('a deleted user\'s refresh token is refused', async () => {
      const gone = await addUser(h.store, 'erin', 'pw');
      await seedRefresh(h.store, { token: 't6', family: 'f6', client: 'r1', userId: gone.id, scope: 'a', expires: now() + 100 });
      await h.store.users.delete('erin');
      await assert.rejects(refreshTokenGrant({ tokens: h.store.tokens, seal: h.seal }).handle({ client: await client('r1'), params: { refresh_token: 't6' }, now: now() }),
        { code: 'invalid_grant', description: 'the user of this refresh token no longer exists' });
    });

    it('unknown or missing token', async () => {
      await assert.rejects(refreshTokenGrant({ tokens: h.store.tokens, seal: h.seal }).handle({ client: await client('r1'), params: { refresh_token: 'nope' }, now: now() }), { code: 'invalid_grant' });
      await assert.rejects(refreshTokenGrant({ tokens: h.store.tokens, seal: h.seal }).handle({ client: await client('r1'), params: {}, now: now() }), { code: 'invalid_request' });
    });
  });
}

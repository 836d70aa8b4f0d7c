// The authorization_code grant built from exactly the ports it names (a code lookup, a user
// lookup, a family revocation): no database, and the decisions it hands the token service.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authorizationCodeGrant } from '../../../src/core/grants/authorization_code.js';
import { s256 } from '../../../src/core/pkce.js';
import { hashToken } from '../../../src/core/secrets.js';
import type { AuthorizationCodeRecord, Client, User } from '../../../src/core/types.js';
import { clientFromConfig, userFromConfig } from '../../../src/entities.js';

const T = 1_900_000_000;
const VERIFIER = 'v'.repeat(43);

async function setup(code: Partial<AuthorizationCodeRecord> = {}) {
  const user: User = { ...(await userFromConfig({ username: 'u', password: 'p', roles: [] }, null)), id: 'user-1' };
  const client: Client = await clientFromConfig({
    client_id: 'c', client_secret: 's'.repeat(40), grant_types: ['authorization_code'], redirect_uris: ['https://rp/cb'],
    scope: 'openid', token_endpoint_auth_method: 'client_secret_basic', access_token_format: 'jwt', resources: [],
  }, null);
  const record: AuthorizationCodeRecord = {
    hash: hashToken('the-code'), client_id: 'c', user_id: 'user-1', redirect_uri: 'https://rp/cb', redirect_uri_given: true, scope: 'openid profile',
    resource: null, code_challenge: s256(VERIFIER), code_challenge_method: 'S256', nonce: 'n-1', auth_time: T - 30, acr: null,
    sid: 'session-1', expires_at: T + 60, created_at: T, used_at: null, family_id: null, ...code,
  };
  const revoked: string[] = [];
  const grant = authorizationCodeGrant({
    codes: { find: async (h) => (h === record.hash ? record : null) },
    users: { getById: async (id) => (id === user.id ? user : null) },
    tokens: { revokeFamily: async (id) => { revoked.push(id); } },
  });
  const handle = (params: Record<string, string>) =>
    grant.handle({ client, params: { code: 'the-code', redirect_uri: 'https://rp/cb', code_verifier: VERIFIER, ...params }, now: T + 1 });
  return { handle, revoked, user };
}

describe('authorization_code grant (ports only)', () => {
  it('hands the service the code to consume, a family with the sign-in, and the id_token context', async () => {
    const { handle, user } = await setup();
    const o = await handle({});
    assert.equal(o.user, user);
    assert.equal(o.scope, 'openid profile');
    assert.deepEqual(o.consume, { kind: 'authorization_code', hash: hashToken('the-code') });
    assert.deepEqual(o.family, { sid: 'session-1', auth_time: T - 30, acr: null });
    assert.deepEqual(o.signin, { sid: 'session-1', auth_time: T - 30, acr: null, nonce: 'n-1' });
    assert.equal(o.mayRefresh, true);
  });

  it('offline_access: the family outlives the session; the id_token still names it. No openid: no id_token', async () => {
    const offline = await (await setup({ scope: 'openid offline_access' })).handle({});
    assert.equal(offline.family?.sid, null);
    assert.equal(offline.signin?.sid, 'session-1');
    const plain = await (await setup({ scope: 'read' })).handle({});
    assert.equal(plain.signin, undefined);
    assert.ok(plain.family, 'a family all the same: a replay must reach the access token');
  });

  it('a used code revokes the family it recorded; an unknown one is a counted guess', async () => {
    const { handle, revoked } = await setup({ used_at: T, family_id: 'fam-1' });
    await assert.rejects(handle({}), { code: 'invalid_grant', reason: undefined });
    assert.deepEqual(revoked, ['fam-1']);
    await assert.rejects(handle({ code: 'other' }), { code: 'invalid_grant', reason: 'unknown_token' });
  });
});

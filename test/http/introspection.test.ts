// Who gets an introspection answer (RFC 7662 §2.2, §4), revocation of another client's token
// (RFC 7009 §2.2) and which tokens the v1 dialect's validation route accepts — tested as an
// attacker would: a registered client probing tokens that are not its own.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { basic, postForm, startTestServer, type TestServer } from '../helpers/server.js';
import { BACKENDS } from '../helpers/stores.js';

const S = 'entitlement-secret-0123456789abcdefghijklmnop';
// A fixed issuer, so the v1 audience (<issuer>/v1) can be registered before the port is known.
const ISSUER = 'https://tessera.example';
const config = {
  issuer: ISSUER,
  clients: [
    // Issues user tokens; its access tokens name the resource server `orders-api` in aud.
    { client_id: 'app', client_secret: S, grant_types: ['password', 'refresh_token'], scope: 'read', audience: 'orders-api' },
    { client_id: 'app-opaque', client_secret: S, grant_types: ['password', 'refresh_token'], scope: 'read', audience: 'orders-api', access_token_format: 'opaque' },
    // An unrelated confidential client: the attacker.
    { client_id: 'mallory', client_secret: S, grant_types: ['client_credentials'], scope: 'read' },
    // The resource server, registered as a client so it can authenticate to introspect.
    { client_id: 'orders-api', client_secret: S, grant_types: ['client_credentials'] },
    // A gateway the operator allowed to introspect anything.
    { client_id: 'gateway', client_secret: S, grant_types: ['client_credentials'], introspect: 'all' },
    { client_id: 'v1app', client_secret: S, grant_types: ['client_credentials'], profile: 'v1' },
    { client_id: 'v1aud', client_secret: S, grant_types: ['client_credentials'], resources: ['https://tessera.example/v1'] },
  ],
  users: [{ username: 'alice', password: 'alice-password-123' }],
};

for (const backend of BACKENDS) {
  describe(`introspection entitlement, revocation and v1 validation as an attacker sees them (${backend})`, () => {
    let srv: TestServer;
    const as = (id: string) => ({ authorization: basic(id, S) });
    const introspect = (caller: string, token: string) => postForm(`${srv.url}/oauth2/introspect`, { token }, as(caller));
    const userTokens = async (client: string) =>
      (await postForm(`${srv.url}/oauth2/token`, { grant_type: 'password', username: 'alice', password: 'alice-password-123' }, as(client))).json;

    before(async () => { srv = await startTestServer(backend, config); });
    after(async () => { await srv.close(); });

    it('another client learns nothing: the answer is byte for byte that of an unknown token', async () => {
      const unknown = await introspect('mallory', 'no-such-token-0123456789');
      assert.equal(unknown.text, '{"active":false}');
      for (const client of ['app', 'app-opaque']) {
        const t = await userTokens(client);
        for (const token of [t.access_token, t.refresh_token]) {
          const r = await introspect('mallory', token);
          assert.equal(r.status, 200);
          assert.equal(r.text, unknown.text, `${client}: mallory must not see it`);
          assert.equal(r.headers.get('cache-control'), 'no-store');
        }
        const own = await introspect(client, t.refresh_token);
        assert.equal(own.json.active, true);
        assert.equal(own.json.username, 'alice');
      }
    });

    it('a resource server named in aud sees the access tokens meant for it, not the refresh tokens', async () => {
      for (const client of ['app', 'app-opaque']) {
        const t = await userTokens(client);
        const at = await introspect('orders-api', t.access_token);
        assert.equal(at.json.active, true, client);
        assert.equal(at.json.client_id, client);
        assert.deepEqual((await introspect('orders-api', t.refresh_token)).json, { active: false });
      }
      const cc = (await postForm(`${srv.url}/oauth2/token`, { grant_type: 'client_credentials' }, as('mallory'))).json;
      assert.deepEqual((await introspect('orders-api', cc.access_token)).json, { active: false }, 'aud is the issuer, not orders-api');
    });

    it('introspect: all (a gateway) sees every token', async () => {
      const t = await userTokens('app');
      for (const token of [t.access_token, t.refresh_token]) assert.equal((await introspect('gateway', token)).json.active, true);
    });

    it('revoking another client\'s token answers 200 as for an unknown one and changes nothing', async () => {
      const t = await userTokens('app');
      const unknown = await postForm(`${srv.url}/oauth2/revoke`, { token: 'no-such-token-0123456789' }, as('mallory'));
      for (const token of [t.access_token, t.refresh_token]) {
        const r = await postForm(`${srv.url}/oauth2/revoke`, { token }, as('mallory'));
        assert.equal(r.status, 200);
        assert.equal(r.text, unknown.text);
        assert.equal((await introspect('app', token)).json.active, true, 'still active');
      }
    });

    it('GET /v1/oauth/token accepts only tokens meant for v1: a v1 client\'s, or aud naming <issuer>/v1', async () => {
      const check = (token: string) => fetch(`${srv.url}/v1/oauth/token`, { headers: { authorization: `Bearer ${token}` } });
      const cc = async (id: string, form: Record<string, string> = {}) =>
        (await postForm(`${srv.url}/oauth2/token`, { grant_type: 'client_credentials', ...form }, as(id))).json.access_token as string;
      assert.equal((await check(await cc('v1app'))).status, 200);
      assert.equal((await check(await cc('v1aud', { resource: `${ISSUER}/v1` }))).status, 200);
      for (const token of [await cc('mallory'), await cc('gateway'), (await userTokens('app')).access_token]) {
        const r = await check(token);
        assert.equal(r.status, 401);
        assert.equal(r.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
      }
    });
  });
}

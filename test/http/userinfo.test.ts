// GET/POST /oauth2/userinfo (OIDC Core §5.3) with real tokens from the code flow: claims
// by scope, RFC 6750 presentation and errors (401 invalid_token with WWW-Authenticate, 403
// insufficient_scope), for JWT and opaque access tokens, on both stores.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { basic, postForm, startTestServer, type TestServer } from '../helpers/server.js';
import { BACKENDS } from '../helpers/stores.js';
import { CODE_SECRET, exchangeForm, makeCode, signinConfig } from './signin-fixtures.js';

for (const backend of BACKENDS) {
  describe(`userinfo (${backend})`, () => {
    let srv: TestServer;
    let alice: string;
    before(async () => {
      srv = await startTestServer(backend, signinConfig);
      alice = (await srv.tessera.store.users.getByUsername('alice'))!.id;
    });
    after(async () => { await srv.close(); });

    /** Tokens for alice with `scope`, through a code exchange by `clientId`. */
    const tokens = async (scope: string, clientId = 'web', username = 'alice') => {
      const { code, verifier } = await makeCode(srv, { client_id: clientId, scope, username });
      const r = await postForm(`${srv.url}/oauth2/token`, exchangeForm(code, { code_verifier: verifier }), { authorization: basic(clientId, CODE_SECRET) });
      assert.equal(r.status, 200, r.text);
      return r.json as { access_token: string; refresh_token: string; id_token?: string };
    };
    const get = (token?: string, headers: Record<string, string> = {}) =>
      fetch(`${srv.url}/oauth2/userinfo`, { headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...headers } });
    const refusedWith = async (res: Response, status: number, error: string) => {
      assert.equal(res.status, status);
      const challenge = res.headers.get('www-authenticate') ?? '';
      assert.match(challenge, new RegExp(`^Bearer realm="tessera", error="${error}"`));
      assert.equal(((await res.json()) as { error: string }).error, error);
    };

    it('GET with a Bearer header: sub always, profile and email claims by scope; no-store', async () => {
      const all = await get((await tokens('openid profile email')).access_token);
      assert.equal(all.status, 200);
      assert.equal(all.headers.get('cache-control'), 'no-store');
      assert.match(all.headers.get('content-type') ?? '', /^application\/json/);
      const body = await all.json() as Record<string, unknown>;
      assert.equal(body.sub, alice);
      assert.equal(body.email, 'alice@example.test');
      assert.equal(body.email_verified, true);
      assert.equal(body.preferred_username, 'alice');
      assert.equal(body.name, 'Alice Liddell');

      assert.deepEqual(await (await get((await tokens('openid')).access_token)).json(), { sub: alice });
      const email = await (await get((await tokens('openid email')).access_token)).json() as Record<string, unknown>;
      assert.deepEqual(Object.keys(email).sort(), ['email', 'email_verified', 'sub']);
      const profile = await (await get((await tokens('openid profile')).access_token)).json() as Record<string, unknown>;
      assert.equal(profile.email, undefined);
      assert.equal(profile.given_name, 'Alice');
    });

    it('claims without a value are left out (bob has no email or name)', async () => {
      const bob = (await srv.tessera.store.users.getByUsername('bob'))!.id;
      const body = await (await get((await tokens('openid profile email', 'web', 'bob')).access_token)).json();
      assert.deepEqual(body, { sub: bob, preferred_username: 'bob', updated_at: (body as { updated_at: number }).updated_at });
    });

    it('POST with the token in the Authorization header or as the access_token form field (RFC 6750 §2.2), opaque tokens too', async () => {
      const t = await tokens('openid email', 'web-opaque');
      const inHeader = await fetch(`${srv.url}/oauth2/userinfo`, { method: 'POST', headers: { authorization: `Bearer ${t.access_token}` } });
      assert.equal(inHeader.status, 200);
      assert.equal(((await inHeader.json()) as { email: string }).email, 'alice@example.test');
      const inBody = await postForm(`${srv.url}/oauth2/userinfo`, { access_token: t.access_token });
      assert.equal(inBody.status, 200, inBody.text);
      assert.equal(inBody.json.sub, alice);
      const both = await postForm(`${srv.url}/oauth2/userinfo`, { access_token: t.access_token }, { authorization: `Bearer ${t.access_token}` });
      assert.equal(both.status, 400);
      assert.equal(both.json.error, 'invalid_request');
    });

    it('no token: 401 with a bare Bearer challenge (RFC 6750 §3.1); a token in the query is refused', async () => {
      const res = await get();
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="tessera"');
      const t = await tokens('openid');
      const q = await fetch(`${srv.url}/oauth2/userinfo?access_token=${t.access_token}`);
      assert.equal(q.status, 400);
      await refusedWith(await get(undefined, { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }), 401, 'invalid_token');
    });

    it('invalid tokens: garbage, a forged JWT, a refresh token, an id_token → 401 invalid_token', async () => {
      const t = await tokens('openid profile');
      await refusedWith(await get('garbage'), 401, 'invalid_token');
      const [h, p] = t.access_token.split('.');
      await refusedWith(await get(`${h}.${p}.${Buffer.from('x'.repeat(64)).toString('base64url')}`), 401, 'invalid_token');
      await refusedWith(await get(t.refresh_token), 401, 'invalid_token');
      await refusedWith(await get(t.id_token!), 401, 'invalid_token');
    });

    it('revoked and expired tokens → 401 invalid_token', async () => {
      for (const id of ['web', 'web-opaque']) {
        const t = await tokens('openid', id);
        assert.equal((await get(t.access_token)).status, 200);
        const revoke = await postForm(`${srv.url}/oauth2/revoke`, { token: t.access_token }, { authorization: basic(id, CODE_SECRET) });
        assert.equal(revoke.status, 200);
        await refusedWith(await get(t.access_token), 401, 'invalid_token');
      }
      const short = await tokens('openid', 'short');
      assert.equal((await get(short.access_token)).status, 200);
      await new Promise((r) => setTimeout(r, 2100));
      await refusedWith(await get(short.access_token), 401, 'invalid_token');
    });

    it('a token of a user disabled since: 401', async () => {
      const t = await tokens('openid', 'web', 'bob');
      const bob = (await srv.tessera.store.users.getByUsername('bob'))!;
      await srv.tessera.store.users.upsert({ ...bob, disabled: true });
      await refusedWith(await get(t.access_token), 401, 'invalid_token');
      await srv.tessera.store.users.upsert({ ...bob, disabled: false });
    });

    it('without openid in scope: 403 insufficient_scope naming openid', async () => {
      const res = await get((await tokens('read')).access_token);
      assert.equal(res.status, 403);
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer realm="tessera", error="insufficient_scope", error_description="[^"]+", scope="openid"$/);
      assert.equal(((await res.json()) as { error: string }).error, 'insufficient_scope');
      // A password-grant token with openid has a user: it is answered.
      const pw = await postForm(`${srv.url}/oauth2/token`, { grant_type: 'password', username: 'alice', password: 'alice-password-0123', scope: 'openid email' }, { authorization: basic('pw', CODE_SECRET) });
      assert.deepEqual(await (await get(pw.json.access_token)).json(), { sub: alice, email: 'alice@example.test', email_verified: true });
    });

    it('other methods: 405 with Allow', async () => {
      const res = await fetch(`${srv.url}/oauth2/userinfo`, { method: 'DELETE' });
      assert.equal(res.status, 405);
      assert.equal(res.headers.get('allow'), 'GET, HEAD, POST');
    });
  });
}

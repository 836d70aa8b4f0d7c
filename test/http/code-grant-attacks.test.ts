// The authorization_code grant as an attacker sees it: replays (and what they revoke),
// broken PKCE, codes of other clients, other redirect URIs, expired codes, users who can no
// longer sign in, and a burst of concurrent exchanges of one code. Exact RFC 6749 §5.2 codes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as client from 'openid-client';
import { basic, postForm, startTestServer, type TestServer } from '../helpers/server.js';
import { BACKENDS } from '../helpers/stores.js';
import { CODE_SECRET, exchangeForm, makeCode, NATIVE_REDIRECT, now, s256, signinConfig } from './signin-fixtures.js';

for (const backend of BACKENDS) {
  describe(`authorization_code grant under attack (${backend})`, () => {
    let srv: TestServer;
    before(async () => { srv = await startTestServer(backend, signinConfig); });
    after(async () => { await srv.close(); });
    const as = (id: string): Record<string, string> => (id.startsWith('native') ? {} : { authorization: basic(id, CODE_SECRET) });
    const exchange = (form: Record<string, string>, id = 'web') =>
      postForm(`${srv.url}/oauth2/token`, id.startsWith('native') ? { ...form, client_id: id } : form, as(id));
    const introspect = (token: string, id = 'web') => postForm(`${srv.url}/oauth2/introspect`, { token }, as(id));
    const refresh = (rt: string, id = 'web') => exchange({ grant_type: 'refresh_token', refresh_token: rt }, id);
    const refused = (r: { status: number; json: any; text: string }, error: string, description?: string) => {
      assert.equal(r.status, 400, r.text);
      assert.equal(r.json.error, error, r.text);
      if (description !== undefined) assert.equal(r.json.error_description, description);
      assert.equal(r.json.access_token, undefined);
    };

    for (const id of ['web', 'web-opaque']) {
      it(`replay → invalid_grant, and the first exchange's tokens are revoked (${id})`, async () => {
        const { code, verifier } = await makeCode(srv, { client_id: id });
        const form = exchangeForm(code, { code_verifier: verifier });
        const first = await exchange(form, id);
        assert.equal(first.status, 200, first.text);
        assert.equal((await introspect(first.json.access_token, id)).json.active, true);
        refused(await exchange(form, id), 'invalid_grant', 'authorization code has already been used');
        // RFC 6749 §4.1.2: tokens issued from the code are revoked, the access token too.
        assert.deepEqual((await introspect(first.json.access_token, id)).json, { active: false });
        assert.deepEqual((await introspect(first.json.refresh_token, id)).json, { active: false });
        refused(await refresh(first.json.refresh_token, id), 'invalid_grant');
        const info = await fetch(`${srv.url}/oauth2/userinfo`, { headers: { authorization: `Bearer ${first.json.access_token}` } });
        assert.equal(info.status, 401);
      });
    }

    it('replay revokes the JWT access token of a client that gets no refresh token (its grant has a family all the same)', async () => {
      const { code, verifier } = await makeCode(srv, { client_id: 'native-plain', redirect_uri: NATIVE_REDIRECT, scope: 'openid' });
      const form = exchangeForm(code, { redirect_uri: NATIVE_REDIRECT, code_verifier: verifier });
      const first = await exchange(form, 'native-plain');
      assert.equal(first.status, 200, first.text);
      assert.equal(first.json.refresh_token, undefined);
      assert.equal((await srv.tessera.inspector.inspect(first.json.access_token))?.active, true);
      refused(await exchange(form, 'native-plain'), 'invalid_grant');
      assert.equal((await srv.tessera.inspector.inspect(first.json.access_token))?.active, false);
    });

    it('PKCE: a wrong verifier, a missing one, a malformed one; a verifier where no challenge was made', async () => {
      const { code, verifier } = await makeCode(srv);
      refused(await exchange(exchangeForm(code, { code_verifier: client.randomPKCECodeVerifier() })), 'invalid_grant', 'code_verifier does not match the code_challenge');
      refused(await exchange(exchangeForm(code)), 'invalid_grant', 'code_verifier is required: the authorization request had a code_challenge');
      refused(await exchange(exchangeForm(code, { code_verifier: 'short' })), 'invalid_request');
      refused(await exchange(exchangeForm(code, { code_verifier: `${verifier!.slice(0, 42)}!` })), 'invalid_request');
      // The challenge itself is not the verifier (S256).
      refused(await exchange(exchangeForm(code, { code_verifier: s256(verifier!) })), 'invalid_grant');
      // None of the failures used up the code.
      assert.equal((await exchange(exchangeForm(code, { code_verifier: verifier }))).status, 200);

      const none = await makeCode(srv, { verifier: null });
      refused(await exchange(exchangeForm(none.code, { code_verifier: client.randomPKCECodeVerifier() })), 'invalid_grant',
        'code_verifier was sent but the authorization request had no code_challenge');
    });

    it('plain PKCE is refused for a client that does not allow it, even with the right verifier', async () => {
      const verifier = client.randomPKCECodeVerifier();
      const { code } = await makeCode(srv, { client_id: 'native', redirect_uri: NATIVE_REDIRECT, scope: 'openid', code_challenge: verifier, code_challenge_method: 'plain' });
      refused(await exchange(exchangeForm(code, { redirect_uri: NATIVE_REDIRECT, code_verifier: verifier }), 'native'), 'invalid_grant',
        'code_challenge_method plain is not allowed for this client');
    });

    it('a public client without PKCE is refused', async () => {
      const { code } = await makeCode(srv, { client_id: 'native', redirect_uri: NATIVE_REDIRECT, scope: 'openid', verifier: null });
      refused(await exchange(exchangeForm(code, { redirect_uri: NATIVE_REDIRECT }), 'native'), 'invalid_grant', 'a public client must use PKCE (RFC 7636)');
    });

    it("another client's code reads as unknown, and stays usable by its own client", async () => {
      const { code, verifier } = await makeCode(srv);
      refused(await exchange(exchangeForm(code, { code_verifier: verifier }), 'other'), 'invalid_grant', 'authorization code is invalid');
      refused(await exchange(exchangeForm('not-a-code', { code_verifier: verifier })), 'invalid_grant', 'authorization code is invalid');
      assert.equal((await exchange(exchangeForm(code, { code_verifier: verifier }))).status, 200);
    });

    it('redirect_uri must be the one of the authorization request', async () => {
      const { code, verifier } = await makeCode(srv);
      refused(await exchange(exchangeForm(code, { code_verifier: verifier, redirect_uri: 'https://rp.example/cb/' })), 'invalid_grant',
        'redirect_uri does not match the authorization request');
      refused(await exchange(exchangeForm(code, { code_verifier: verifier, redirect_uri: 'https://evil.example/cb' })), 'invalid_grant');
      const two = await makeCode(srv, { client_id: 'two-uris' });
      refused(await exchange(exchangeForm(two.code, { code_verifier: two.verifier, redirect_uri: undefined }), 'two-uris'), 'invalid_request', 'redirect_uri is required: the authorization request included it');
      // RFC 6749 §4.1.3: named in the authorization request, so required here even with one registered URI.
      const named = await makeCode(srv);
      refused(await exchange(exchangeForm(named.code, { code_verifier: named.verifier, redirect_uri: undefined })), 'invalid_request', 'redirect_uri is required: the authorization request included it');
    });

    it('an expired code', async () => {
      const { code, verifier } = await makeCode(srv, { at: now() - 120, ttl: 60 });
      refused(await exchange(exchangeForm(code, { code_verifier: verifier })), 'invalid_grant', 'authorization code has expired');
    });

    it('a code whose user is gone, disabled, or changed their password since signing in', async () => {
      const gone = await makeCode(srv, { username: 'nobody' });
      refused(await exchange(exchangeForm(gone.code, { code_verifier: gone.verifier })), 'invalid_grant');
      const disabled = await makeCode(srv, { username: 'dora' });
      refused(await exchange(exchangeForm(disabled.code, { code_verifier: disabled.verifier })), 'invalid_grant', 'authorization code has been revoked');
      const bob = (await srv.tessera.store.users.getByUsername('bob'))!;
      const before = await makeCode(srv, { username: 'bob', at: now() - 10 });
      await srv.tessera.store.users.upsert({ ...bob, tokens_not_before: now() - 2 });
      refused(await exchange(exchangeForm(before.code, { code_verifier: before.verifier })), 'invalid_grant', 'authorization code has been revoked');
    });

    it('a client without the authorization_code grant, and a missing code', async () => {
      const { code, verifier } = await makeCode(srv, { client_id: 'pw' });
      const r = await exchange(exchangeForm(code, { code_verifier: verifier }), 'pw');
      assert.equal(r.json.error, 'unauthorized_client');
      refused(await exchange({ grant_type: 'authorization_code', redirect_uri: 'https://rp.example/cb' }), 'invalid_request', 'code is required');
    });

    it('20 concurrent exchanges of one code: exactly one gets tokens, and they are revoked', async () => {
      const { code, verifier } = await makeCode(srv);
      const form = exchangeForm(code, { code_verifier: verifier });
      const all = await Promise.all(Array.from({ length: 20 }, () => exchange(form)));
      const ok = all.filter((r) => r.status === 200);
      assert.equal(ok.length, 1, all.map((r) => r.status).join(' '));
      for (const r of all) if (r.status !== 200) assert.equal(r.json.error, 'invalid_grant', r.text);
      // The losers were replays: RFC 6749 §4.1.2 revokes what the winner got.
      assert.equal((await introspect(ok[0]!.json.access_token)).json.active, false);
    });
  });
}

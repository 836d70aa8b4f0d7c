// The authorization_code grant with PKCE and the id_token, driven by openid-client as a
// relying party: it checks the authorization response (state, RFC 9207 iss), sends the
// token request, and validates the id_token (signature against the JWKS, iss, aud, nonce,
// exp); at_hash and the rest are checked here. Codes are made through the server's store
// as the authorization endpoint makes them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { basic, postForm, startTestServer, type TestServer } from '../helpers/server.js';
import { BACKENDS } from '../helpers/stores.js';
import { atHash, callback, CODE_SECRET, exchangeForm, makeCode, NATIVE_REDIRECT, now, relyingParty, signinConfig } from './signin-fixtures.js';

for (const backend of BACKENDS) {
  describe(`authorization_code grant with openid-client (${backend})`, () => {
    let srv: TestServer;
    let alice: string;
    before(async () => {
      srv = await startTestServer(backend, signinConfig);
      alice = (await srv.tessera.store.users.getByUsername('alice'))!.id;
    });
    after(async () => { await srv.close(); });
    const introspect = (token: string, id = 'web') =>
      postForm(`${srv.url}/oauth2/introspect`, { token }, { authorization: basic(id, CODE_SECRET) });

    it('the server made an RS256 key at start: a client can sign people in', async () => {
      const jwks = await (await fetch(`${srv.url}/.well-known/jwks.json`)).json() as { keys: { alg: string }[] };
      assert.ok(jwks.keys.some((k) => k.alg === 'RS256'), JSON.stringify(jwks.keys.map((k) => k.alg)));
    });

    it('confidential client: code + S256 verifier → access, refresh and an RS256 id_token about the sign-in', async () => {
      const rp = await relyingParty(srv, 'web');
      const state = client.randomState();
      const { code, input, verifier } = await makeCode(srv, { acr: 'urn:tessera:pwd' });
      const tokens = await client.authorizationCodeGrant(rp, callback(srv, code, state), {
        pkceCodeVerifier: verifier, expectedState: state, expectedNonce: input.nonce!, idTokenExpected: true,
      });
      assert.equal(tokens.token_type, 'bearer');
      assert.equal(tokens.scope, 'openid profile email');
      assert.ok(tokens.refresh_token);
      assert.equal(decodeProtectedHeader(tokens.id_token!).alg, 'RS256');
      assert.equal(decodeProtectedHeader(tokens.id_token!).typ, 'JWT');
      const claims = tokens.claims()!;
      assert.equal(claims.iss, srv.tessera.config.issuer);
      assert.equal(claims.sub, alice);
      assert.equal(claims.aud, 'web');
      assert.equal(claims.azp, 'web');
      assert.equal(claims.nonce, input.nonce);
      assert.equal(claims.auth_time, input.auth_time);
      assert.equal(claims.acr, 'urn:tessera:pwd');
      assert.equal(claims.sid, input.sid, 'the browser session, not the token family');
      assert.equal(claims.at_hash, atHash(tokens.access_token));
      assert.equal(claims.exp - claims.iat, 3600, 'id_token_ttl');
      // Independently of openid-client: the signature against the published JWKS.
      await jwtVerify(tokens.id_token!, createRemoteJWKSet(new URL(`${srv.url}/.well-known/jwks.json`)), { issuer: srv.url, audience: 'web' });

      // The access token belongs to a family (named in its sid), active on introspection.
      const access = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(`${srv.url}/.well-known/jwks.json`)));
      assert.notEqual(access.payload.sid, input.sid);
      const family = await srv.tessera.store.tokens.findFamily(access.payload.sid as string);
      assert.deepEqual([family?.sid, family?.auth_time, family?.acr, family?.user_id], [input.sid, input.auth_time, 'urn:tessera:pwd', alice]);
      assert.equal((await introspect(tokens.access_token)).json.active, true);

      const info = await client.fetchUserInfo(rp, tokens.access_token, alice);
      assert.deepEqual(info, {
        sub: alice, name: 'Alice Liddell', given_name: 'Alice', family_name: 'Liddell', picture: 'https://img.example/alice.png',
        locale: 'en-GB', preferred_username: 'alice', updated_at: info.updated_at, email: 'alice@example.test', email_verified: true,
      });
      assert.equal(typeof info.updated_at, 'number');

      // OIDC Core §12.2: a refresh brings a new id_token about the same sign-in, without nonce.
      const refreshed = await client.refreshTokenGrant(rp, tokens.refresh_token!);
      const again = refreshed.claims()!;
      assert.equal(again.sub, alice);
      assert.equal(again.sid, input.sid);
      assert.equal(again.auth_time, input.auth_time);
      assert.equal(again.acr, 'urn:tessera:pwd');
      assert.equal(again.nonce, undefined);
      assert.equal(again.at_hash, atHash(refreshed.access_token));
      assert.notEqual(refreshed.id_token, tokens.id_token);
    });

    it('ES256 id_token for a client registered with id_token_signed_response_alg ES256', async () => {
      const rp = await relyingParty(srv, 'web-es', { id_token_signed_response_alg: 'ES256' });
      const state = client.randomState();
      const { code, input, verifier } = await makeCode(srv, { client_id: 'web-es' });
      const tokens = await client.authorizationCodeGrant(rp, callback(srv, code, state), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: input.nonce! });
      assert.equal(decodeProtectedHeader(tokens.id_token!).alg, 'ES256');
      assert.equal(tokens.claims()!.at_hash, atHash(tokens.access_token));
    });

    it('public native client (loopback redirect): PKCE alone authenticates the exchange; opaque tokens work the same', async () => {
      const rp = await relyingParty(srv, 'native');
      const state = client.randomState();
      const { code, input, verifier } = await makeCode(srv, { client_id: 'native', redirect_uri: NATIVE_REDIRECT, scope: 'openid profile' });
      const tokens = await client.authorizationCodeGrant(rp, callback(srv, code, state, NATIVE_REDIRECT), {
        pkceCodeVerifier: verifier, expectedState: state, expectedNonce: input.nonce!,
      });
      assert.equal(tokens.claims()!.sub, alice);
      const info = await client.fetchUserInfo(rp, tokens.access_token, alice);
      assert.deepEqual(Object.keys(info).sort(), ['family_name', 'given_name', 'locale', 'name', 'picture', 'preferred_username', 'sub', 'updated_at']);

      const opaque = await relyingParty(srv, 'web-opaque');
      const s2 = client.randomState();
      const c2 = await makeCode(srv, { client_id: 'web-opaque' });
      const t2 = await client.authorizationCodeGrant(opaque, callback(srv, c2.code, s2), { pkceCodeVerifier: c2.verifier, expectedState: s2, expectedNonce: c2.input.nonce! });
      assert.doesNotMatch(t2.access_token, /\./, 'opaque');
      assert.equal(t2.claims()!.at_hash, atHash(t2.access_token));
      assert.equal((await client.fetchUserInfo(opaque, t2.access_token, alice)).email, 'alice@example.test');
    });

    it('plain PKCE for a client that allows it; a confidential client may go without PKCE', async () => {
      const verifier = client.randomPKCECodeVerifier();
      const plain = await makeCode(srv, { client_id: 'native-plain', redirect_uri: NATIVE_REDIRECT, scope: 'openid', code_challenge: verifier, code_challenge_method: 'plain' });
      const r = await postForm(`${srv.url}/oauth2/token`, exchangeForm(plain.code, { client_id: 'native-plain', redirect_uri: NATIVE_REDIRECT, code_verifier: verifier }));
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.refresh_token, undefined, 'native-plain may not refresh');
      assert.ok(r.json.id_token);

      const none = await makeCode(srv, { verifier: null });
      const c = await postForm(`${srv.url}/oauth2/token`, exchangeForm(none.code), { authorization: basic('web', CODE_SECRET) });
      assert.equal(c.status, 200, c.text);
    });

    it('without openid in scope: plain OAuth, no id_token; redirect_uri may be left out with one registered URI', async () => {
      // The authorization request left redirect_uri out (one registered URI, RFC 6749 §3.1.2.3).
      const { code, verifier } = await makeCode(srv, { scope: 'read', redirect_uri_given: false });
      const r = await postForm(`${srv.url}/oauth2/token`, exchangeForm(code, { code_verifier: verifier, redirect_uri: undefined }), { authorization: basic('web', CODE_SECRET) });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.scope, 'read');
      assert.equal(r.json.id_token, undefined);
      assert.equal(r.headers.get('cache-control'), 'no-store');
      const refreshed = await postForm(`${srv.url}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: r.json.refresh_token }, { authorization: basic('web', CODE_SECRET) });
      assert.equal(refreshed.status, 200, refreshed.text);
      assert.equal(refreshed.json.id_token, undefined);
    });

    it('logout (the browser session ends) revokes its grants, except one with offline_access', async () => {
      const sid = `sid-${client.randomState()}`;
      const exchange = async (scope: string) => {
        const { code, verifier } = await makeCode(srv, { scope, sid });
        const r = await postForm(`${srv.url}/oauth2/token`, exchangeForm(code, { code_verifier: verifier }), { authorization: basic('web', CODE_SECRET) });
        assert.equal(r.status, 200, r.text);
        return r.json as { access_token: string; refresh_token: string; id_token: string };
      };
      const bound = await exchange('openid profile');
      const offline = await exchange('openid offline_access');
      assert.equal(await srv.tessera.store.tokens.revokeSessionFamilies(sid, now()), 1);
      assert.equal((await introspect(bound.access_token)).json.active, false);
      assert.equal((await introspect(offline.access_token)).json.active, true);
      const refresh = (rt: string) => postForm(`${srv.url}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: rt }, { authorization: basic('web', CODE_SECRET) });
      assert.equal((await refresh(bound.refresh_token)).json.error, 'invalid_grant');
      const kept = await refresh(offline.refresh_token);
      assert.equal(kept.status, 200, kept.text);
      // An id_token on refresh names the family's session: an offline grant has none.
      const { payload } = await jwtVerify(kept.json.id_token, createRemoteJWKSet(new URL(`${srv.url}/.well-known/jwks.json`)));
      assert.equal(payload.sid, undefined, 'an offline grant is not bound to the ended session');
    });

    it('the family of an exchange without a refresh token is purged once its access token expired', async () => {
      const { code, verifier } = await makeCode(srv, { client_id: 'native-plain', redirect_uri: NATIVE_REDIRECT, scope: 'openid' });
      const r = await postForm(`${srv.url}/oauth2/token`, exchangeForm(code, { client_id: 'native-plain', redirect_uri: NATIVE_REDIRECT, code_verifier: verifier }));
      assert.equal(r.status, 200, r.text);
      const { payload } = await jwtVerify(r.json.access_token, createRemoteJWKSet(new URL(`${srv.url}/.well-known/jwks.json`)));
      const family = payload.sid as string;
      assert.ok(await srv.tessera.store.tokens.findFamily(family));
      // Well before its expiry nothing goes; after it, the family goes with its token.
      await srv.tessera.store.tokens.purgeExpired(payload.exp! - 10, 1000);
      assert.ok(await srv.tessera.store.tokens.findFamily(family));
      while ((await srv.tessera.store.tokens.purgeExpired(payload.exp! + 1, 1000)) > 0);
      assert.equal(await srv.tessera.store.tokens.findFamily(family), null);
    });

    it('a password grant with openid in scope gets no id_token, nor on refresh (no sign-in behind it)', async () => {
      const r = await postForm(`${srv.url}/oauth2/token`, { grant_type: 'password', username: 'alice', password: 'alice-password-0123', scope: 'openid profile' }, { authorization: basic('pw', CODE_SECRET) });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.id_token, undefined);
      const again = await postForm(`${srv.url}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: r.json.refresh_token }, { authorization: basic('pw', CODE_SECRET) });
      assert.equal(again.status, 200, again.text);
      assert.equal(again.json.id_token, undefined);
    });
  });
}

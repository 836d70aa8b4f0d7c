// Black-box: the real server on a free port, driven by oauth4webapi (a certified OAuth
// client) and checked with jose's remote JWKS, against every configured store backend.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oauth from 'oauth4webapi';
import { BACKENDS } from '../helpers/stores.js';
import { basic, postForm, startTestServer, type TestServer } from '../helpers/server.js';
import { PASSWORDS, SECRETS, standardConfig } from './fixtures.js';

const insecure = { [oauth.allowInsecureRequests]: true } as const;

for (const backend of BACKENDS) {
  describe(`OAuth 2.0 endpoints with a real client (${backend})`, () => {
    let srv: TestServer;
    let as: oauth.AuthorizationServer;
    let jwks: ReturnType<typeof createRemoteJWKSet>;
    const token = (form: Record<string, string>, headers: Record<string, string> = {}) => postForm(`${srv.url}/oauth2/token`, form, headers);

    before(async () => {
      srv = await startTestServer(backend, standardConfig);
      const issuer = new URL(srv.url);
      as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
      jwks = createRemoteJWKSet(new URL(as.jwks_uri!));
    });
    after(async () => { await srv.close(); });

    it('publishes RFC 8414 metadata listing exactly what is supported', async () => {
      assert.equal(as.issuer, srv.url);
      assert.equal(as.token_endpoint, `${srv.url}/oauth2/token`);
      assert.deepEqual(as.grant_types_supported, ['authorization_code', 'client_credentials', 'password', 'refresh_token']);
      assert.deepEqual(as.token_endpoint_auth_methods_supported, ['client_secret_basic', 'client_secret_post', 'none']);
      assert.equal(as.introspection_endpoint, `${srv.url}/oauth2/introspect`);
      assert.equal(as.revocation_endpoint, `${srv.url}/oauth2/revoke`);
      const oidc = await (await fetch(`${srv.url}/.well-known/openid-configuration`)).json();
      assert.deepEqual(oidc, await (await fetch(`${srv.url}/.well-known/oauth-authorization-server`)).json());
    });

    it('JWKS holds public keys only, each with kid, alg and use', async () => {
      const res = await fetch(as.jwks_uri!);
      assert.equal(res.status, 200);
      const set = await res.json() as { keys: Record<string, string>[] };
      assert.ok(set.keys.length >= 1);
      for (const k of set.keys) {
        assert.ok(k.kid && k.alg && k.use === 'sig', JSON.stringify(k));
        assert.equal(k.d, undefined, 'private part must not be published');
        assert.equal(k.p, undefined);
      }
    });

    it('client_credentials with client_secret_basic: RFC 9068 JWT, no refresh token, no-store', async () => {
      const client = { client_id: 'svc' };
      const res = await oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretBasic(SECRETS.svc), {}, insecure);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.equal(res.headers.get('pragma'), 'no-cache');
      const tr = await oauth.processClientCredentialsResponse(as, client, res);
      assert.equal(tr.token_type, 'bearer'); // oauth4webapi lower-cases it
      assert.equal(tr.expires_in, 3600);
      assert.equal(tr.scope, 'read write');
      assert.equal(tr.refresh_token, undefined);
      const header = decodeProtectedHeader(tr.access_token);
      assert.equal(header.typ, 'at+jwt');
      assert.equal(header.alg, 'ES256');
      assert.ok(header.kid);
      const { payload } = await jwtVerify(tr.access_token, jwks, { issuer: srv.url, audience: 'https://api.example', typ: 'at+jwt' });
      assert.equal(payload.sub, 'svc');
      assert.equal(payload.client_id, 'svc');
      assert.equal(payload.scope, 'read write');
      for (const c of ['exp', 'iat', 'nbf', 'jti'] as const) assert.ok(payload[c] !== undefined, c);
      assert.equal((payload.exp as number) - (payload.iat as number), 3600);
      // A resource server using oauth4webapi accepts it too.
      const claims = await oauth.validateJwtAccessToken(as, new Request('http://rs.example/x', { headers: { authorization: `Bearer ${tr.access_token}` } }), 'https://api.example', insecure);
      assert.equal(claims.client_id, 'svc');
    });

    it('client_credentials with client_secret_post; audience defaults to the issuer', async () => {
      const client = { client_id: 'poster' };
      const tr = await oauth.processClientCredentialsResponse(as, client,
        await oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretPost(SECRETS.poster), {}, insecure));
      const { payload } = await jwtVerify(tr.access_token, jwks, { issuer: srv.url, audience: srv.url });
      assert.equal(payload.scope, 'read');
    });

    it('a low-entropy (argon2id-hashed) client secret still authenticates', async () => {
      const r = await token({ grant_type: 'client_credentials' }, { authorization: basic('weak', SECRETS.weak) });
      assert.equal(r.status, 200, r.text);
      const bad = await token({ grant_type: 'client_credentials' }, { authorization: basic('weak', 'weak2') });
      assert.equal(bad.status, 401);
    });

    it('RS256, PS256 and EdDSA clients get tokens that verify against the JWKS', async () => {
      for (const [id, alg] of [['rsa', 'RS256'], ['pss', 'PS256'], ['ed', 'EdDSA']] as const) {
        const r = await token({ grant_type: 'client_credentials' }, { authorization: basic(id, SECRETS.svc) });
        assert.equal(r.status, 200, r.text);
        assert.equal(decodeProtectedHeader(r.json.access_token).alg, alg);
        const { payload } = await jwtVerify(r.json.access_token, createRemoteJWKSet(new URL(as.jwks_uri!)), { issuer: srv.url });
        assert.equal(payload.client_id, id);
      }
    });

    it('password grant: user claims, refresh token, rotation, reuse revokes the family', async () => {
      const client = { client_id: 'app' };
      const auth = oauth.ClientSecretBasic(SECRETS.app);
      const first = await oauth.processGenericTokenEndpointResponse(as, client,
        await oauth.genericTokenEndpointRequest(as, client, auth, 'password', { username: 'alice', password: PASSWORDS.alice }, insecure));
      assert.ok(first.refresh_token && first.refresh_token.length >= 22);
      const { payload } = await jwtVerify(first.access_token, jwks, { issuer: srv.url });
      assert.equal(payload.participant_code, 'hosp-1@swasth');
      assert.deepEqual(payload.roles, ['doctor', 'admin']);
      assert.equal(payload.client_id, 'app');
      assert.notEqual(payload.sub, 'alice', 'sub is the user id, not the username');

      const second = await oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, auth, first.refresh_token!, insecure));
      assert.ok(second.refresh_token);
      assert.notEqual(second.refresh_token, first.refresh_token);
      const p2 = (await jwtVerify(second.access_token, jwks, { issuer: srv.url })).payload;
      assert.equal(p2.sub, payload.sub);

      // RFC 9700 §4.14.2: the rotated token is dead; presenting it once its successor has been
      // used revokes the family at once (core/rotation.ts; tests of the race window elsewhere).
      const third = await token({ grant_type: 'refresh_token', refresh_token: second.refresh_token! }, { authorization: basic('app', SECRETS.app) });
      assert.equal(third.status, 200, third.text);
      const reuse = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token! }, { authorization: basic('app', SECRETS.app) });
      assert.equal(reuse.status, 400);
      assert.equal(reuse.json.error, 'invalid_grant');
      const after = await token({ grant_type: 'refresh_token', refresh_token: third.json.refresh_token }, { authorization: basic('app', SECRETS.app) });
      assert.equal(after.json.error, 'invalid_grant');
      assert.equal(after.json.error_description, 'refresh token has been revoked');
      const intro = await oauth.processIntrospectionResponse(as, client, await oauth.introspectionRequest(as, client, auth, third.json.access_token, insecure));
      assert.equal(intro.active, false);
    });

    it('wrong password and unknown user give the same error', async () => {
      const a = await token({ grant_type: 'password', username: 'alice', password: 'nope' }, { authorization: basic('app', SECRETS.app) });
      const b = await token({ grant_type: 'password', username: 'nobody', password: 'nope' }, { authorization: basic('app', SECRETS.app) });
      assert.equal(a.status, 400);
      assert.deepEqual(a.json, b.json);
      assert.equal(a.json.error, 'invalid_grant');
    });

    it('no refresh token when the client lacks the refresh_token grant', async () => {
      const r = await token({ grant_type: 'password', username: 'bob', password: PASSWORDS.bob }, { authorization: basic('noref', SECRETS.app) });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.refresh_token, undefined);
    });

    it('public client (none) uses password and refresh grants by client_id alone', async () => {
      const r = await token({ grant_type: 'password', client_id: 'spa', username: 'bob', password: PASSWORDS.bob });
      assert.equal(r.status, 200, r.text);
      const r2 = await token({ grant_type: 'refresh_token', client_id: 'spa', refresh_token: r.json.refresh_token });
      assert.equal(r2.status, 200, r2.text);
      // The refresh token is bound to its client (RFC 6749 §6).
      const stolen = await token({ grant_type: 'refresh_token', refresh_token: r2.json.refresh_token }, { authorization: basic('app', SECRETS.app) });
      assert.equal(stolen.json.error, 'invalid_grant');
    });

    it('scope: subset allowed, outside is invalid_scope; refresh may narrow, never widen', async () => {
      const auth = { authorization: basic('app', SECRETS.app) };
      const r = await token({ grant_type: 'password', username: 'bob', password: PASSWORDS.bob, scope: 'read write' }, auth);
      assert.equal(r.json.scope, 'read write');
      const bad = await token({ grant_type: 'password', username: 'bob', password: PASSWORDS.bob, scope: 'read delete' }, auth);
      assert.equal(bad.status, 400);
      assert.equal(bad.json.error, 'invalid_scope');
      const wide = await token({ grant_type: 'refresh_token', refresh_token: r.json.refresh_token, scope: 'read admin' }, auth);
      assert.equal(wide.json.error, 'invalid_scope');
      const narrow = await token({ grant_type: 'refresh_token', refresh_token: r.json.refresh_token, scope: 'read' }, auth);
      assert.equal(narrow.status, 200, narrow.text);
      assert.equal(narrow.json.scope, 'read');
    });

    it('RFC 8707 resource becomes aud; a resource the client may not use is invalid_target', async () => {
      const auth = { authorization: basic('app', SECRETS.app) };
      const r = await token({ grant_type: 'password', username: 'bob', password: PASSWORDS.bob, resource: 'https://r1.example' }, auth);
      assert.equal(r.status, 200, r.text);
      const { payload } = await jwtVerify(r.json.access_token, jwks, { issuer: srv.url, audience: 'https://r1.example' });
      assert.equal(payload.aud, 'https://r1.example');
      const bad = await token({ grant_type: 'password', username: 'bob', password: PASSWORDS.bob, resource: 'https://evil.example' }, auth);
      assert.equal(bad.status, 400);
      assert.equal(bad.json.error, 'invalid_target');
    });

    it('unauthorized_client, unsupported_grant_type and invalid_client are exact', async () => {
      const u = await token({ grant_type: 'password', username: 'bob', password: PASSWORDS.bob }, { authorization: basic('svc', SECRETS.svc) });
      assert.equal(u.status, 400);
      assert.equal(u.json.error, 'unauthorized_client');
      const g = await token({ grant_type: 'urn:example:magic' }, { authorization: basic('svc', SECRETS.svc) });
      assert.equal(g.json.error, 'unsupported_grant_type');
      const c = await token({ grant_type: 'client_credentials' }, { authorization: basic('svc', 'wrong') });
      assert.equal(c.status, 401);
      assert.equal(c.json.error, 'invalid_client');
      assert.match(c.headers.get('www-authenticate') ?? '', /^Basic /);
      const p = await token({ grant_type: 'client_credentials', client_id: 'poster', client_secret: 'wrong' });
      assert.equal(p.status, 401);
      assert.equal(p.headers.get('www-authenticate'), null, 'no Basic challenge when Basic was not used');
      const pub = await token({ grant_type: 'password', client_id: 'svc', username: 'bob', password: PASSWORDS.bob });
      assert.equal(pub.status, 401, 'a confidential client must authenticate');
    });

    it('two concurrent refreshes of one token: exactly one succeeds', async () => {
      const auth = { authorization: basic('app', SECRETS.app) };
      for (let i = 0; i < 5; i++) {
        const r = await token({ grant_type: 'password', username: 'bob', password: PASSWORDS.bob }, auth);
        const both = await Promise.all([1, 2].map(() => token({ grant_type: 'refresh_token', refresh_token: r.json.refresh_token }, auth)));
        assert.deepEqual(both.map((b) => b.status).sort(), [200, 400], JSON.stringify(both.map((b) => b.json)));
      }
    });

    it('expired refresh and access tokens are refused / inactive', async () => {
      const auth = { authorization: basic('short', SECRETS.app) };
      const r = await token({ grant_type: 'password', username: 'bob', password: PASSWORDS.bob }, auth);
      assert.equal(r.status, 200, r.text);
      await new Promise((res) => setTimeout(res, 2100));
      const again = await token({ grant_type: 'refresh_token', refresh_token: r.json.refresh_token }, auth);
      assert.equal(again.json.error, 'invalid_grant');
      assert.match(again.json.error_description, /expired/);
      const intro = await postForm(`${srv.url}/oauth2/introspect`, { token: r.json.access_token }, auth);
      assert.deepEqual(intro.json, { active: false });
    });

    it('introspection (RFC 7662) requires client auth and describes active tokens', async () => {
      const r = await token({ grant_type: 'client_credentials' }, { authorization: basic('svc', SECRETS.svc) });
      const noAuth = await postForm(`${srv.url}/oauth2/introspect`, { token: r.json.access_token });
      assert.equal(noAuth.status, 401);
      // The client the token was issued to may introspect it (test/http/introspection.test.ts: who else may).
      const client = { client_id: 'svc' };
      const intro = await oauth.processIntrospectionResponse(as, client,
        await oauth.introspectionRequest(as, client, oauth.ClientSecretBasic(SECRETS.svc), r.json.access_token, insecure));
      assert.equal(intro.active, true);
      assert.equal(intro.client_id, 'svc');
      assert.equal(intro.scope, 'read write');
      assert.equal(intro.token_type, 'Bearer');
      assert.equal(intro.iss, srv.url);
      assert.equal(typeof intro.exp, 'number');
      // RFC 7662 §2.1: a public client (only a client_id) may not introspect.
      const pub = await postForm(`${srv.url}/oauth2/introspect`, { client_id: 'spa', token: r.json.access_token });
      assert.equal(pub.status, 401);
      assert.equal(pub.json.error, 'invalid_client');
      assert.equal(pub.json.active, undefined);
      const unknown = await postForm(`${srv.url}/oauth2/introspect`, { token: 'not-a-token' }, { authorization: basic('app', SECRETS.app) });
      assert.deepEqual(unknown.json, { active: false });
      const forged = r.json.access_token.slice(0, -4) + 'AAAA';
      const f = await postForm(`${srv.url}/oauth2/introspect`, { token: forged }, { authorization: basic('svc', SECRETS.svc) });
      assert.deepEqual(f.json, { active: false });
    });

    it('revocation (RFC 7009): JWT reads inactive until expiry; unknown tokens give 200', async () => {
      const client = { client_id: 'svc' };
      const auth = oauth.ClientSecretBasic(SECRETS.svc);
      const r = await token({ grant_type: 'client_credentials' }, { authorization: basic('svc', SECRETS.svc) });
      await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, auth, r.json.access_token, insecure));
      const intro = await postForm(`${srv.url}/oauth2/introspect`, { token: r.json.access_token }, { authorization: basic('svc', SECRETS.svc) });
      assert.deepEqual(intro.json, { active: false });
      const unknown = await postForm(`${srv.url}/oauth2/revoke`, { token: 'whatever-unknown' }, { authorization: basic('svc', SECRETS.svc) });
      assert.equal(unknown.status, 200);
      // Another client may not revoke svc's token, and is answered as for an unknown token (RFC 7009 §2.2).
      const r2 = await token({ grant_type: 'client_credentials' }, { authorization: basic('svc', SECRETS.svc) });
      const other = await postForm(`${srv.url}/oauth2/revoke`, { token: r2.json.access_token }, { authorization: basic('poster', SECRETS.poster) });
      assert.equal(other.status, 200);
      assert.equal(other.text, unknown.text);
      const still = await postForm(`${srv.url}/oauth2/introspect`, { token: r2.json.access_token }, { authorization: basic('svc', SECRETS.svc) });
      assert.equal(still.json.active, true);
    });

    it('revoking a refresh token revokes its family and the access tokens issued from it', async () => {
      const auth = { authorization: basic('app', SECRETS.app) };
      const r = await token({ grant_type: 'password', username: 'alice', password: PASSWORDS.alice }, auth);
      const r2 = await token({ grant_type: 'refresh_token', refresh_token: r.json.refresh_token }, auth);
      const rev = await postForm(`${srv.url}/oauth2/revoke`, { token: r2.json.refresh_token, token_type_hint: 'refresh_token' }, auth);
      assert.equal(rev.status, 200);
      for (const at of [r.json.access_token, r2.json.access_token]) {
        const i = await postForm(`${srv.url}/oauth2/introspect`, { token: at }, auth);
        assert.deepEqual(i.json, { active: false });
      }
      const again = await token({ grant_type: 'refresh_token', refresh_token: r2.json.refresh_token }, auth);
      assert.equal(again.json.error, 'invalid_grant');
    });

    it('opaque access tokens: random, introspectable, revocable', async () => {
      const auth = { authorization: basic('opaque', SECRETS.opaque) };
      const r = await token({ grant_type: 'client_credentials' }, auth);
      assert.equal(r.status, 200, r.text);
      assert.doesNotMatch(r.json.access_token, /\./);
      assert.ok(Buffer.from(r.json.access_token, 'base64url').length >= 16, '>= 128 bits');
      const i = await postForm(`${srv.url}/oauth2/introspect`, { token: r.json.access_token }, auth);
      assert.equal(i.json.active, true);
      assert.equal(i.json.client_id, 'opaque');
      assert.equal(i.json.sub, 'opaque');
      await postForm(`${srv.url}/oauth2/revoke`, { token: r.json.access_token }, auth);
      const i2 = await postForm(`${srv.url}/oauth2/introspect`, { token: r.json.access_token }, auth);
      assert.deepEqual(i2.json, { active: false });
      const u = await token({ grant_type: 'password', username: 'alice', password: PASSWORDS.alice }, auth);
      const iu = await postForm(`${srv.url}/oauth2/introspect`, { token: u.json.access_token }, auth);
      assert.equal(iu.json.username, 'alice');
      const ir = await postForm(`${srv.url}/oauth2/introspect`, { token: u.json.refresh_token }, auth);
      assert.equal(ir.json.active, true);
      assert.equal(ir.json.token_type, 'refresh_token');
    });

    it('a dialect-profile JWT from a refresh family is revoked with its family too', async () => {
      // An apk-profile client has the WSO2 claim set, which has no session claim of its own.
      const auth = { authorization: basic('apk-user', SECRETS.app) };
      const r = await token({ grant_type: 'password', username: 'bob', password: PASSWORDS.bob }, auth);
      assert.equal(r.status, 200, r.text);
      // A fresh key set: the apk profile's RS256 key was created after `jwks` was fetched.
      const { payload } = await jwtVerify(r.json.access_token, createRemoteJWKSet(new URL(as.jwks_uri!)), { issuer: srv.url });
      assert.equal(typeof payload.sid, 'string');
      await srv.tessera.store.tokens.revokeFamily(payload.sid as string, Math.floor(Date.now() / 1000));
      const i = await postForm(`${srv.url}/oauth2/introspect`, { token: r.json.access_token }, auth);
      assert.deepEqual(i.json, { active: false });
    });

    it('key rotation: new tokens use the new kid; old tokens still verify', async () => {
      const before = await token({ grant_type: 'client_credentials' }, { authorization: basic('svc', SECRETS.svc) });
      const oldKid = decodeProtectedHeader(before.json.access_token).kid;
      // Published and activated at once (no time ahead), so the next token must use it.
      const rotated = await srv.tessera.keys.rotate('ES256', 0);
      assert.notEqual(rotated.kid, oldKid);
      const afterTok = await token({ grant_type: 'client_credentials' }, { authorization: basic('svc', SECRETS.svc) });
      assert.equal(decodeProtectedHeader(afterTok.json.access_token).kid, rotated.kid);
      const fresh = createRemoteJWKSet(new URL(as.jwks_uri!));
      await jwtVerify(before.json.access_token, fresh, { issuer: srv.url });
      await jwtVerify(afterTok.json.access_token, fresh, { issuer: srv.url });
      const kids = (await (await fetch(as.jwks_uri!)).json() as { keys: { kid: string }[] }).keys.map((k) => k.kid);
      assert.ok(kids.includes(oldKid!) && kids.includes(rotated.kid));
    });
  });
}

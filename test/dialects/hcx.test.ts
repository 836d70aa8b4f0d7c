// Dialect `hcx` (Swasth HCX, seeds/000): the document's curl run literally (host and
// variables filled in with the document's example values), the token's claims checked
// against the JWKS, refresh on both routes, and HCX's error bodies.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { postForm, startTestServer, type TestServer } from '../helpers/server.js';
import { BACKENDS, makeDatabase } from '../helpers/stores.js';
import { curl, curlLine, devSection, shell } from './helpers.js';
import { hcxSample } from './samples.js';

// The document's example values.
const USER = 'testuser@gmail.com';
const CODE = 'test-user@swasth-hcx';
const PASSWORD = 'Opensaber@123';
const FIELDS = ['access_token', 'expires_in', 'refresh_expires_in', 'refresh_token', 'token_type', 'not-before-policy', 'session_state', 'scope'];

const config = {
  participants: [
    { participant_code: CODE, name: 'Test provider', roles: ['provider'] },
    { participant_code: 'payor-1@swasth-hcx', roles: ['payor'] },
  ],
  users: [
    { username: USER, password: PASSWORD, participant_code: CODE, roles: ['admin'], email: USER },
    { username: 'loner@example.com', password: 'loner-password', roles: ['viewer'] },
  ],
};

for (const backend of BACKENDS) {
  describe(`dialect hcx: /api/v0.x/.../auth/token/generate (${backend})`, () => {
    let srv: TestServer;
    let jwks: ReturnType<typeof createRemoteJWKSet>;
    const generate = (form: Record<string, string>, v = 'v0.8', who = 'participant') =>
      postForm(`${srv.url}/api/${v}/${who}/auth/token/generate`, form);

    function checkBody(r: { status: number; json: any; headers: Headers | Record<string, string> }) {
      assert.equal(r.status, 200, JSON.stringify(r.json));
      assert.deepEqual(Object.keys(r.json), FIELDS);
      for (const f of ['access_token', 'refresh_token', 'session_state', 'scope']) assert.equal(typeof r.json[f], 'string', f);
      for (const f of ['expires_in', 'refresh_expires_in', 'not-before-policy']) assert.equal(typeof r.json[f], 'number', f);
      assert.equal(r.json.token_type, 'Bearer');
      assert.equal(r.json.scope, 'profile email');
      const cc = r.headers instanceof Headers ? r.headers.get('cache-control') : r.headers['cache-control'];
      assert.equal(cc, 'no-store');
    }

    function checkError(r: { status: number; json: any }, status: number, code: string, message: string) {
      assert.equal(r.status, status, JSON.stringify(r.json));
      assert.deepEqual(Object.keys(r.json), ['timestamp', 'error']);
      assert.equal(typeof r.json.timestamp, 'number');
      assert.ok(Math.abs(r.json.timestamp - Date.now()) < 60_000, 'timestamp is in milliseconds');
      assert.deepEqual(r.json.error, { code, message });
    }

    before(async () => {
      srv = await startTestServer(backend, config);
      jwks = createRemoteJWKSet(new URL(`${srv.url}/.well-known/jwks.json`));
    });
    after(async () => { await srv.close(); });

    it('the document\'s curl: Keycloak-shaped answer and an RS256 JWT with the platform\'s claims', async () => {
      const r = await curl(hcxSample(new URL(srv.url).host, USER, CODE, PASSWORD));
      checkBody(r);
      const header = decodeProtectedHeader(r.json.access_token);
      assert.equal(header.alg, 'RS256');
      assert.ok(header.kid);
      const { payload } = await jwtVerify(r.json.access_token, jwks, { issuer: srv.url, algorithms: ['RS256'] });
      assert.equal(payload.participant_code, CODE);
      assert.equal(payload.user_id, USER);
      assert.equal(payload.preferred_username, `${CODE}:${USER}`);
      assert.deepEqual(payload.realm_access, { participant_roles: ['provider'], user_roles: ['admin'] });
      assert.deepEqual(payload.entity, ['Organisation']);
      assert.equal(payload.azp, 'hcx');
      assert.equal(payload.client_id, 'hcx');
      assert.equal(payload.typ, 'Bearer');
      assert.equal(payload.sid, r.json.session_state);
      assert.equal(payload.session_state, r.json.session_state);
      assert.equal(payload.scope, 'profile email');
      for (const c of ['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti'] as const) assert.ok(payload[c] !== undefined, c);
      assert.equal(payload.exp! - payload.iat!, r.json.expires_in);
    });

    it('works under v0.7, v0.8 and v0.9, and accepts `secret` in place of `password`', async () => {
      for (const v of ['v0.7', 'v0.8', 'v0.9']) checkBody(await generate({ username: USER, participant_code: CODE, password: PASSWORD }, v));
      checkBody(await generate({ username: USER, participant_code: CODE, secret: PASSWORD }));
    });

    it('user/auth/token/generate: a participant\'s user without participant_code in the request', async () => {
      const r = await generate({ username: USER, password: PASSWORD }, 'v0.8', 'user');
      checkBody(r);
      const { payload } = await jwtVerify(r.json.access_token, jwks, { issuer: srv.url });
      assert.equal(payload.user_id, USER);
      assert.equal(payload.participant_code, CODE);
      assert.deepEqual(payload.realm_access, { participant_roles: ['provider'], user_roles: ['admin'] });
    });

    it('a user who belongs to no participant gets no token on either route, even with the right password', async () => {
      const msg = 'Invalid user details, the user does not belong to a participant';
      checkError(await generate({ username: 'loner@example.com', password: 'loner-password' }, 'v0.8', 'user'), 400, 'ERR_INVALID_USER_DETAILS', msg);
      checkError(await generate({ username: 'loner@example.com', participant_code: CODE, password: 'loner-password' }), 400, 'ERR_INVALID_USER_DETAILS', msg);
    });

    it('the built-in client works only on the HCX routes: not at /oauth2/token, /o/token/ or /v1/oauth/token/user', async () => {
      for (const [username, password] of [[USER, PASSWORD], ['loner@example.com', 'loner-password']] as const) {
        const std = await postForm(`${srv.url}/oauth2/token`, { grant_type: 'password', client_id: 'hcx', username, password });
        assert.equal(std.status, 401, std.text);
        assert.equal(std.json.error, 'invalid_client');
        const o = await postForm(`${srv.url}/o/token/`, { grant_type: 'password', client_id: 'hcx', username, password });
        assert.equal(o.status, 401, o.text);
        const v1 = await fetch(`${srv.url}/v1/oauth/token/user`, {
          method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'password', client_id: 'hcx', username, password }),
        });
        assert.equal(v1.status, 401);
      }
      const rt = (await generate({ username: USER, participant_code: CODE, password: PASSWORD })).json.refresh_token;
      const revoke = await postForm(`${srv.url}/oauth2/revoke`, { client_id: 'hcx', token: rt });
      assert.equal(revoke.status, 401, 'nor at the standard revocation endpoint');
      checkBody(await generate({ grant_type: 'refresh_token', refresh_token: rt }));
    });

    it('errors: missing field 400 ERR_INVALID_REQUEST naming it; bad credentials 401 ERR_ACCESS_DENIED', async () => {
      checkError(await generate({ username: USER, password: PASSWORD }), 400, 'ERR_INVALID_REQUEST', 'Invalid request, participant_code is mandatory');
      checkError(await generate({ participant_code: CODE, password: PASSWORD }), 400, 'ERR_INVALID_REQUEST', 'Invalid request, username is mandatory');
      checkError(await generate({ username: USER, participant_code: CODE }), 400, 'ERR_INVALID_REQUEST', 'Invalid request, password is mandatory');
      checkError(await generate({ username: USER }, 'v0.8', 'user'), 400, 'ERR_INVALID_REQUEST', 'Invalid request, password is mandatory');
      checkError(await generate({ username: USER, participant_code: CODE, password: 'wrong' }), 401, 'ERR_ACCESS_DENIED', 'Invalid credentials');
      // An unknown user reads exactly like a wrong password (no user enumeration).
      checkError(await generate({ username: 'ghost@x', participant_code: CODE, password: PASSWORD }), 401, 'ERR_ACCESS_DENIED', 'Invalid credentials');
      const r = await generate({ username: USER, participant_code: CODE, password: PASSWORD, grant_type: 'client_credentials' });
      assert.equal(r.json.error.code, 'ERR_INVALID_REQUEST');
    });

    it('a user who does not belong to the participant: 400 ERR_INVALID_USER_DETAILS', async () => {
      checkError(await generate({ username: USER, participant_code: 'payor-1@swasth-hcx', password: PASSWORD }), 400,
        'ERR_INVALID_USER_DETAILS', 'Invalid user details, the user does not belong to participant payor-1@swasth-hcx');
    });

    it('refresh on the generate route (grant_type=refresh_token) with rotation; not at /oauth2/token', async () => {
      const first = await generate({ username: USER, participant_code: CODE, password: PASSWORD });
      const second = await generate({ grant_type: 'refresh_token', refresh_token: first.json.refresh_token });
      checkBody(second);
      assert.equal(second.json.session_state, first.json.session_state);
      assert.notEqual(second.json.refresh_token, first.json.refresh_token);
      const std = await postForm(`${srv.url}/oauth2/token`, { grant_type: 'refresh_token', client_id: 'hcx', refresh_token: second.json.refresh_token });
      assert.equal(std.status, 401);
      assert.equal(std.json.error, 'invalid_client');
      const third = await generate({ grant_type: 'refresh_token', refresh_token: second.json.refresh_token }, 'v0.9', 'user');
      checkBody(third);
      const { payload } = await jwtVerify(third.json.access_token, jwks, { issuer: srv.url });
      assert.equal(payload.participant_code, CODE);
      assert.equal(payload.sid, first.json.session_state);
      // The rotated token again: refused, and the session is over.
      const reuse = await generate({ grant_type: 'refresh_token', refresh_token: first.json.refresh_token });
      checkError(reuse, 401, 'ERR_ACCESS_DENIED', 'refresh token has already been used');
      checkError(await generate({ grant_type: 'refresh_token', refresh_token: third.json.refresh_token }), 401, 'ERR_ACCESS_DENIED', 'refresh token has been revoked');
      checkError(await generate({ grant_type: 'refresh_token' }), 400, 'ERR_INVALID_REQUEST', 'Invalid request, refresh_token is mandatory');
    });

    it('the built-in public client exists; other methods get 405 in HCX\'s body', async () => {
      const c = await srv.tessera.store.clients.get('hcx');
      assert.equal(c?.token_endpoint_auth_method, 'none');
      assert.equal(c?.profile, 'hcx');
      assert.deepEqual(c?.grant_types, ['password', 'refresh_token']);
      const res = await fetch(`${srv.url}/api/v0.8/participant/auth/token/generate`);
      assert.equal(res.status, 405);
      const body = await res.json() as { error: { code: string } };
      assert.equal(body.error.code, 'ERR_INVALID_REQUEST');
    });

    it('serve --dev prints a curl command that works as printed', async () => {
      const r = await shell(curlLine(await devSection(srv, 'hcx')));
      checkBody(r);
    });
  });
}

for (const backend of BACKENDS) {
  describe(`dialect hcx: the built-in client exists only while the dialect is enabled (${backend})`, () => {
    it('a start without hcx removes it; a public client the operator configured keeps its own grants', async () => {
      const db = await makeDatabase(backend);
      try {
        let srv = await startTestServer(backend, config, { db });
        assert.equal((await srv.tessera.store.clients.get('hcx'))?.managed_by, 'dialect:hcx');
        await srv.close();
        srv = await startTestServer(backend, { ...config, dialects: ['o', 'apk', 'v1'] }, { db });
        assert.equal(await srv.tessera.store.clients.get('hcx'), null);
        const r = await postForm(`${srv.url}/oauth2/token`, { grant_type: 'password', client_id: 'hcx', username: USER, password: PASSWORD });
        assert.equal(r.status, 401);
        assert.equal(r.json.error, 'invalid_client');
        await srv.close();
        // The operator's own public client of that id: an explicit opt-in to the password grant everywhere.
        srv = await startTestServer(backend, {
          ...config, clients: [{ client_id: 'hcx', token_endpoint_auth_method: 'none', grant_types: ['password', 'refresh_token'], profile: 'hcx' }],
        }, { db });
        assert.equal((await srv.tessera.store.clients.get('hcx'))?.managed_by, null);
        const ok = await postForm(`${srv.url}/oauth2/token`, { grant_type: 'password', client_id: 'hcx', username: USER, password: PASSWORD });
        assert.equal(ok.status, 200, ok.text);
        await srv.close();
      } finally {
        await db.cleanup();
      }
    });
  });
}

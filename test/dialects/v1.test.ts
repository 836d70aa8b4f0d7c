// Dialect `v1` (seeds/003): issuing and refreshing at /v1/oauth/token/{token_type} (the
// document's refresh curl run literally, JSON body, rotation and reuse), validating at
// GET /v1/oauth/token, and switching dialects off in config.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { postForm, startTestServer, type TestServer } from '../helpers/server.js';
import { BACKENDS } from '../helpers/stores.js';
import { activeFixtures } from '../../src/dev/fixtures.js';
import { curl, curlLine, devSection, shell } from './helpers.js';
import { v1Refresh, v1Validate } from './samples.js';

const SECRET = 'v1-secret-0123456789abcdefghijklmnopqrstuv';
const PASSWORD = 'v1-user-password';
const INVALID_HEADER = { error: 'invalid_request', error_description: 'missing/invalid parameters authorization header' };

const config = {
  clients: [{ client_id: 'v1app', client_secret: SECRET, grant_types: ['password', 'refresh_token', 'client_credentials'], scope: 'read', profile: 'v1' }],
  users: [{ username: 'carol', password: PASSWORD }],
};

async function postJson(url: string, body: Record<string, string>) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, headers: res.headers, json: await res.json() as any };
}

for (const backend of BACKENDS) {
  describe(`dialect v1: /v1/oauth/token (${backend})`, () => {
    let srv: TestServer;
    let jwks: ReturnType<typeof createRemoteJWKSet>;
    const issue = (tokenType: string, body: Record<string, string>) =>
      postJson(`${srv.url}/v1/oauth/token/${tokenType}`, { client_id: 'v1app', client_secret: SECRET, ...body });
    const userToken = () => issue('user', { grant_type: 'password', username: 'carol', password: PASSWORD });
    const refreshCmd = (refreshToken: string) => v1Refresh(srv.url, 'user', refreshToken, 'v1app', SECRET);
    const validateCmd = (accessToken: string) => v1Validate(srv.url, accessToken);

    before(async () => {
      srv = await startTestServer(backend, config);
      jwks = createRemoteJWKSet(new URL(`${srv.url}/.well-known/jwks.json`));
    });
    after(async () => { await srv.close(); });

    it('issues a user token (password grant, JSON body): the documented fields', async () => {
      const r = await userToken();
      assert.equal(r.status, 200, JSON.stringify(r.json));
      assert.deepEqual(Object.keys(r.json), ['access_token', 'token_type', 'expires_in', 'refresh_token']);
      assert.equal(r.json.token_type, 'bearer');
      assert.equal(r.json.expires_in, 3600);
      assert.equal(typeof r.json.refresh_token, 'string');
      assert.equal(r.headers.get('cache-control'), 'no-store');
      const { payload } = await jwtVerify(r.json.access_token, jwks, { issuer: srv.url });
      assert.equal(payload.client_id, 'v1app');
    });

    it('the document\'s refresh curl: a NEW refresh token; the old one stops working and revokes the session', async () => {
      const first = (await userToken()).json;
      const r = await curl(refreshCmd(first.refresh_token));
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(Object.keys(r.json), ['access_token', 'token_type', 'expires_in', 'refresh_token']);
      assert.equal(r.json.token_type, 'bearer');
      assert.equal(r.headers['cache-control'], 'no-store');
      assert.notEqual(r.json.refresh_token, first.refresh_token);
      await jwtVerify(r.json.access_token, jwks, { issuer: srv.url });
      // The new one works once more (a rotation chain) ...
      const next = await curl(refreshCmd(r.json.refresh_token));
      assert.equal(next.status, 200);
      // ... the old one is refused, and reusing it ends every token of the session.
      const reuse = await curl(refreshCmd(first.refresh_token));
      assert.equal(reuse.status, 400);
      assert.equal(reuse.json.error, 'invalid_grant');
      const dead = await curl(refreshCmd(next.json.refresh_token));
      assert.equal(dead.json.error, 'invalid_grant');
      const check = await curl(validateCmd(next.json.access_token));
      assert.equal(check.status, 401);
      assert.deepEqual(check.json, INVALID_HEADER);
    });

    it('the document\'s validation curl: {access_token, token_type, expires_in = seconds left}', async () => {
      const tr = (await userToken()).json;
      const r = await curl(validateCmd(tr.access_token));
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(Object.keys(r.json), ['access_token', 'token_type', 'expires_in']);
      assert.equal(r.json.access_token, tr.access_token);
      assert.equal(r.json.token_type, 'bearer');
      assert.ok(r.json.expires_in > 3590 && r.json.expires_in <= 3600, String(r.json.expires_in));
    });

    it('validation failures: 401, exactly the documented body, WWW-Authenticate: Bearer (RFC 6750 §3)', async () => {
      const missing = await fetch(`${srv.url}/v1/oauth/token`);
      assert.equal(missing.status, 401);
      assert.deepEqual(await missing.json(), INVALID_HEADER);
      assert.equal(missing.headers.get('www-authenticate'), 'Bearer');
      const tr = (await userToken()).json;
      for (const authorization of ['Basic abc', 'Bearer', `Bearer ${tr.refresh_token}`, 'Bearer not.a.token']) {
        const r = await fetch(`${srv.url}/v1/oauth/token`, { headers: { authorization } });
        assert.equal(r.status, 401, authorization);
        assert.deepEqual(await r.json(), INVALID_HEADER);
        assert.match(r.headers.get('www-authenticate')!, /^Bearer\b/);
      }
      // The document's own sample token is not one this server issued.
      const doc = await curl(v1Validate(srv.url));
      assert.equal(doc.status, 401);
      assert.deepEqual(doc.json, INVALID_HEADER);
      assert.equal(doc.headers['www-authenticate'], 'Bearer error="invalid_token"');
    });

    it('company tokens are issued to the client itself; mismatches and other token types are 400', async () => {
      const company = await issue('company', { grant_type: 'client_credentials' });
      assert.equal(company.status, 200);
      // RFC 6749 §4.4.3: no refresh token for client_credentials.
      assert.deepEqual(Object.keys(company.json), ['access_token', 'token_type', 'expires_in']);
      const { payload } = await jwtVerify(company.json.access_token, jwks, { issuer: srv.url });
      assert.equal(payload.sub, 'v1app');
      const wrongUser = await issue('user', { grant_type: 'client_credentials' });
      assert.equal(wrongUser.status, 400);
      assert.deepEqual(wrongUser.json, { error: 'invalid_request', error_description: 'a user token needs a user: use grant_type password (or refresh_token with a user token)' });
      const wrongCompany = await issue('company', { grant_type: 'password', username: 'carol', password: PASSWORD });
      assert.equal(wrongCompany.status, 400);
      assert.deepEqual(wrongCompany.json, { error: 'invalid_request', error_description: 'a company token is issued to the client itself: use grant_type client_credentials' });
      const other = await issue('admin', { grant_type: 'client_credentials' });
      assert.equal(other.status, 400);
      assert.deepEqual(other.json, { error: 'invalid_request', error_description: "token_type 'admin' is not supported: use /v1/oauth/token/user or /v1/oauth/token/company" });
      const badSecret = await postJson(`${srv.url}/v1/oauth/token/user`, { grant_type: 'password', username: 'carol', password: PASSWORD, client_id: 'v1app', client_secret: 'nope' });
      assert.equal(badSecret.status, 401);
      assert.equal(badSecret.json.error, 'invalid_client');
    });

    it('serve --dev prints a curl command that works as printed', async () => {
      const r = await shell(curlLine(await devSection(srv, 'v1')));
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(Object.keys(r.json), ['access_token', 'token_type', 'expires_in', 'refresh_token']);
    });
  });

  describe(`dialects can be switched off: dialects: [o] (${backend})`, () => {
    let srv: TestServer;
    before(async () => { srv = await startTestServer(backend, { dialects: ['o'] }); });
    after(async () => { await srv.close(); });

    it('/v1, /api/v0.8 and their dev fixtures are gone; /o is there', async () => {
      const v1 = await fetch(`${srv.url}/v1/oauth/token/user`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      assert.equal(v1.status, 404);
      assert.equal((await fetch(`${srv.url}/v1/oauth/token`)).status, 404);
      assert.equal((await postForm(`${srv.url}/api/v0.8/participant/auth/token/generate`, { username: 'x' })).status, 404);
      assert.equal(await srv.tessera.store.clients.get('hcx'), null);
      assert.deepEqual((await srv.tessera.store.clients.list()).filter((c) => c.managed_by !== null).map((c) => c.managed_by), ['console'], 'no built-in client of a dialect that is off (the console\'s is no dialect\'s)');
      assert.deepEqual(activeFixtures(srv.tessera.config).map((f) => f.dialect ?? 'standard'), ['standard', 'o']);
      assert.equal((await postForm(`${srv.url}/o/token/`, { grant_type: 'client_credentials' })).status, 401);
    });
  });
}

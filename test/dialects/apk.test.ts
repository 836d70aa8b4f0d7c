// Dialect `apk` (WSO2 APK inbuilt IdP, seeds/002): the document's sample request, with its
// exact Basic header, run literally (curl -k against a self-signed HTTPS server, only the
// host replaced) once the dev fixture registered the sample client; outside dev it fails.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, customFetch, decodeProtectedHeader, jwtVerify } from 'jose';
import { basic, postForm, startTestServer } from '../helpers/server.js';
import { BACKENDS, makeDatabase } from '../helpers/stores.js';
import { b64json, curl, curlLine, devSection, read, shell, startTlsServer, type TlsServer } from './helpers.js';
import { APK_SAMPLE, APK_SAMPLE_HOST } from './samples.js';

const SAMPLE_AUTH = 'Basic NDVmMWM1YzgtYTkyZS0xMWVkLWFmYTEtMDI0MmFjMTIwMDAyOjRmYmQ2MmVjLWE5MmUtMTFlZC1hZmExLTAyNDJhYzEyMDAwMg==';
const CLIENT_ID = '45f1c5c8-a92e-11ed-afa1-0242ac120002';
const CLAIMS = ['iss', 'sub', 'exp', 'nbf', 'iat', 'jti', 'clientId', 'scope'];

const STD_SECRET = 'std-secret-0123456789abcdefghijklmnopqrstu';
const config = {
  clients: [
    { client_id: 'std', client_secret: STD_SECRET, grant_types: ['client_credentials'], scope: 'read' },
    { client_id: 'apk2', client_secret: STD_SECRET, grant_types: ['client_credentials'], scope: 'apis:read', profile: 'apk' },
  ],
};

for (const backend of BACKENDS) {
  describe(`dialect apk: shared /oauth2/token, dev IdP over HTTPS (${backend})`, () => {
    let srv: TlsServer;
    let jwks: ReturnType<typeof createRemoteJWKSet>;
    const token = (headers: Record<string, string>, form: Record<string, string> = { grant_type: 'client_credentials' }) =>
      srv.fetch(`${srv.url}/oauth2/token`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form).toString(),
      }).then(read);

    async function checkApkToken(body: Record<string, unknown>, clientId: string, scope: string) {
      assert.deepEqual(Object.keys(body), ['access_token', 'token_type', 'expires_in', 'scope']);
      assert.equal(body.token_type, 'Bearer');
      assert.equal(body.expires_in, 3600);
      assert.equal(body.scope, scope);
      const at = body.access_token as string;
      const header = decodeProtectedHeader(at);
      assert.equal(header.alg, 'RS256');
      assert.equal(header.typ, 'JWT');
      assert.ok(header.kid);
      assert.deepEqual(Object.keys(b64json(at.split('.')[1]!)), CLAIMS);
      const { payload } = await jwtVerify(at, jwks, { issuer: srv.url, algorithms: ['RS256'] });
      assert.equal(payload.sub, clientId);
      assert.equal(payload.clientId, clientId);
      assert.equal(payload.scope, scope);
      assert.equal(payload.nbf, payload.iat);
      assert.equal(payload.exp! - payload.iat!, 3600);
      assert.equal(typeof payload.jti, 'string');
    }

    before(async () => {
      srv = await startTlsServer(backend, config);
      await devSection(srv, 'apk'); // what `serve --dev` does
      jwks = createRemoteJWKSet(new URL(`${srv.url}/.well-known/jwks.json`), { [customFetch]: srv.fetch as never });
    });
    after(async () => { await srv.close(); });

    it('the document\'s sample request (curl -k, exact Basic header) gets the documented answer', async () => {
      const r = await curl(APK_SAMPLE.replace(APK_SAMPLE_HOST, new URL(srv.url).host));
      assert.equal(r.status, 200, r.text);
      assert.equal(r.headers['cache-control'], 'no-store');
      assert.match(r.headers['content-type']!, /^application\/json/);
      await checkApkToken(r.json, CLIENT_ID, 'default');
    });

    it('the same request in-process', async () => {
      const r = await token({ authorization: SAMPLE_AUTH });
      assert.equal(r.status, 200, r.text);
      await checkApkToken(r.json, CLIENT_ID, 'default');
    });

    it('an apk-profile client with registered scopes gets them; the standard client on the same path keeps RFC 9068', async () => {
      const apk = await token({ authorization: basic('apk2', STD_SECRET) });
      await checkApkToken(apk.json, 'apk2', 'apis:read');
      const std = await token({ authorization: basic('std', STD_SECRET) });
      assert.equal(std.status, 200);
      assert.equal(decodeProtectedHeader(std.json.access_token).typ, 'at+jwt');
      const { payload } = await jwtVerify(std.json.access_token, jwks, { issuer: srv.url });
      assert.equal(payload.client_id, 'std');
      assert.equal(payload.clientId, undefined);
    });

    it('errors are JSON {error, error_description}', async () => {
      const bad = await token({ authorization: basic(CLIENT_ID, 'wrong') });
      assert.equal(bad.status, 401);
      assert.deepEqual(Object.keys(bad.json), ['error', 'error_description']);
      assert.equal(bad.json.error, 'invalid_client');
      const grant = await token({ authorization: SAMPLE_AUTH }, { grant_type: 'password', username: 'x', password: 'y' });
      assert.equal(grant.status, 400);
      assert.equal(grant.json.error, 'unauthorized_client');
    });

    it('serve --dev prints a curl command that works as printed', async () => {
      const section = await devSection(srv, 'apk');
      assert.ok(section.lines.some((l) => l.includes('dev only')), 'warns that the credentials are public');
      const r = await shell(curlLine(section));
      assert.equal(r.status, 200, r.text);
      await checkApkToken(r.json, CLIENT_ID, 'default');
    });
  });

  describe(`dialect apk: outside --dev the document's credentials do not exist (${backend})`, () => {
    it('after serve --dev on the same database, a plain start removes them: the sample request gets 401 invalid_client', async () => {
      const db = await makeDatabase(backend);
      try {
        const dev = await startTestServer(backend, {}, { db, dev: true });
        const before = await postForm(`${dev.url}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: SAMPLE_AUTH });
        assert.equal(before.status, 200, 'the sample works under --dev');
        await dev.close();
        const srv = await startTestServer(backend, {}, { db });
        try {
          const r = await postForm(`${srv.url}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: SAMPLE_AUTH, host: 'idp.am.wso2.com' });
          assert.equal(r.status, 401);
          assert.equal(r.json.error, 'invalid_client');
          assert.equal(await srv.tessera.store.clients.get(CLIENT_ID), null);
        } finally {
          await srv.close();
        }
      } finally {
        await db.cleanup();
      }
    });
  });
}

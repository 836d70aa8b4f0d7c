// Every malformed request gets a 4xx with an RFC error code and a description naming the
// problem: never a 500, a stack trace, a hang, or an echoed secret.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { BACKENDS } from '../helpers/stores.js';
import { basic, postForm, startTestServer, type TestServer } from '../helpers/server.js';
import { SECRETS, standardConfig } from './fixtures.js';

/** A raw request, so bodies and headers can be anything (fetch would normalise them). */
function raw(url: string, opts: { method?: string; path: string; headers?: Record<string, string>; body?: Buffer | string }) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string; json: any }>((resolve, reject) => {
    const u = new URL(url);
    const req = request({ host: u.hostname, port: u.port, method: opts.method ?? 'POST', path: opts.path, headers: opts.headers ?? {}, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: any;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.setTimeout(10_000, () => req.destroy(new Error('request hung')));
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

for (const backend of BACKENDS) {
  describe(`bad input is a clear 4xx (${backend})`, () => {
    let srv: TestServer;
    const form = 'application/x-www-form-urlencoded';
    const svcAuth = basic('svc', SECRETS.svc);
    before(async () => { srv = await startTestServer(backend, standardConfig); });
    after(async () => { await srv.close(); });

    const expectError = (r: { status: number; json: any; text: string }, status: number, code: string, mentions?: RegExp) => {
      assert.equal(r.status, status, r.text);
      assert.equal(r.json?.error, code, r.text);
      assert.equal(typeof r.json.error_description, 'string');
      if (mentions) assert.match(r.json.error_description, mentions);
      assert.doesNotMatch(r.text, /at .*\.(ts|js):\d+/, 'no stack trace');
    };

    it('missing grant_type', async () => {
      expectError(await postForm(`${srv.url}/oauth2/token`, {}, { authorization: svcAuth }), 400, 'invalid_request', /grant_type/);
    });

    it('repeated parameter (RFC 6749 §3.2)', async () => {
      const r = await raw(srv.url, { path: '/oauth2/token', headers: { 'content-type': form, authorization: svcAuth }, body: 'grant_type=client_credentials&scope=read&scope=write' });
      expectError(r, 400, 'invalid_request', /scope.*repeated/);
    });

    it('unknown grant type', async () => {
      expectError(await postForm(`${srv.url}/oauth2/token`, { grant_type: 'magic' }, { authorization: svcAuth }), 400, 'unsupported_grant_type', /magic/);
    });

    it('missing parameters of a grant name the parameter', async () => {
      const auth = { authorization: basic('app', SECRETS.app) };
      expectError(await postForm(`${srv.url}/oauth2/token`, { grant_type: 'password', password: 'x' }, auth), 400, 'invalid_request', /username/);
      expectError(await postForm(`${srv.url}/oauth2/token`, { grant_type: 'password', username: 'x' }, auth), 400, 'invalid_request', /password/);
      expectError(await postForm(`${srv.url}/oauth2/token`, { grant_type: 'refresh_token' }, auth), 400, 'invalid_request', /refresh_token/);
    });

    it('wrong content type is 415', async () => {
      const r = await raw(srv.url, { path: '/oauth2/token', headers: { 'content-type': 'text/plain', authorization: svcAuth }, body: 'grant_type=client_credentials' });
      expectError(r, 415, 'invalid_request', /Content-Type/);
    });

    it('JSON body works; malformed JSON and non-object JSON are 400', async () => {
      const ok = await raw(srv.url, { path: '/oauth2/token', headers: { 'content-type': 'application/json', authorization: svcAuth }, body: '{"grant_type":"client_credentials"}' });
      assert.equal(ok.status, 200, ok.text);
      expectError(await raw(srv.url, { path: '/oauth2/token', headers: { 'content-type': 'application/json' }, body: '{"grant_type":' }), 400, 'invalid_request', /JSON/);
      expectError(await raw(srv.url, { path: '/oauth2/token', headers: { 'content-type': 'application/json' }, body: '[1,2]' }), 400, 'invalid_request', /object/);
      expectError(await raw(srv.url, { path: '/oauth2/token', headers: { 'content-type': 'application/json' }, body: '{"grant_type":{"a":1}}' }), 400, 'invalid_request', /grant_type/);
    });

    it('a body over 64 KiB is 413', async () => {
      const r = await raw(srv.url, { path: '/oauth2/token', headers: { 'content-type': form }, body: `grant_type=client_credentials&x=${'a'.repeat(70 * 1024)}` });
      expectError(r, 413, 'invalid_request', /64 KiB/);
    });

    it('invalid UTF-8, raw or percent-encoded, is 400', async () => {
      const rawBytes = Buffer.concat([Buffer.from('grant_type=client_credentials&scope='), Buffer.from([0xff, 0xfe])]);
      expectError(await raw(srv.url, { path: '/oauth2/token', headers: { 'content-type': form, authorization: svcAuth }, body: rawBytes }), 400, 'invalid_request', /UTF-8/);
      expectError(await raw(srv.url, { path: '/oauth2/token', headers: { 'content-type': form, authorization: svcAuth }, body: 'grant_type=client_credentials&scope=%FF%FE' }), 400, 'invalid_request', /UTF-8|percent/);
      expectError(await raw(srv.url, { path: '/oauth2/token', headers: { 'content-type': 'application/json' }, body: Buffer.from([0x7b, 0xff, 0x7d]) }), 400, 'invalid_request', /UTF-8/);
    });

    it('NUL characters are refused, not passed to the store', async () => {
      const auth = { authorization: basic('app', SECRETS.app) };
      expectError(await raw(srv.url, { path: '/oauth2/token', headers: { 'content-type': form }, body: 'grant_type=client_credentials&client_id=a%00b&client_secret=x' }), 400, 'invalid_request', /NUL/);
      expectError(await postForm(`${srv.url}/oauth2/token`, { grant_type: 'password', username: 'a\u0000', password: 'x' }, auth), 400, 'invalid_request', /NUL/);
      expectError(await raw(srv.url, { path: '/oauth2/introspect', headers: { 'content-type': 'application/json' }, body: '{"client_id":"x\\u0000","token":"t"}' }), 400, 'invalid_request', /NUL/);
      expectError(await postForm(`${srv.url}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: `Basic ${Buffer.from('a\u0000b:s').toString('base64')}` }), 401, 'invalid_client');
    });

    it('absurdly long headers are refused with 431, not a hang', async () => {
      const r = await raw(srv.url, { path: '/oauth2/token', headers: { 'content-type': form, 'x-junk': 'a'.repeat(40 * 1024) }, body: 'grant_type=client_credentials' });
      assert.equal(r.status, 431);
    });

    it('GET on a POST-only endpoint is 405 with Allow: POST', async () => {
      for (const path of ['/oauth2/token', '/oauth2/introspect', '/oauth2/revoke']) {
        const r = await raw(srv.url, { method: 'GET', path });
        expectError(r, 405, 'invalid_request');
        assert.equal(r.headers.allow, 'POST');
      }
      const j = await raw(srv.url, { method: 'POST', path: '/.well-known/jwks.json', headers: { 'content-type': form }, body: 'a=b' });
      assert.equal(j.status, 405);
      assert.equal(j.headers.allow, 'GET, HEAD');
    });

    it('client credentials in the query string are refused without echoing them', async () => {
      const r = await raw(srv.url, { path: `/oauth2/token?client_id=svc&client_secret=${SECRETS.svc}`, headers: { 'content-type': form }, body: 'grant_type=client_credentials' });
      expectError(r, 400, 'invalid_request', /query string/);
      assert.ok(!r.text.includes(SECRETS.svc));
    });

    it('two client authentication methods in one request', async () => {
      const r = await postForm(`${srv.url}/oauth2/token`, { grant_type: 'client_credentials', client_id: 'svc', client_secret: SECRETS.svc }, { authorization: svcAuth });
      expectError(r, 400, 'invalid_request', /both/);
    });

    it('malformed Basic header is invalid_client', async () => {
      const r = await postForm(`${srv.url}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: 'Basic !!!notbase64' });
      expectError(r, 401, 'invalid_client');
      const r2 = await postForm(`${srv.url}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: `Basic ${Buffer.from('no-colon').toString('base64')}` });
      expectError(r2, 401, 'invalid_client');
    });

    it('errors never echo a password, secret or token', async () => {
      const secret = 'S3cr3t-value-that-must-not-leak-0123456789';
      const r1 = await postForm(`${srv.url}/oauth2/token`, { grant_type: 'password', username: 'alice', password: secret }, { authorization: basic('app', SECRETS.app) });
      const r2 = await postForm(`${srv.url}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: basic('svc', secret) });
      const r3 = await postForm(`${srv.url}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: secret }, { authorization: basic('app', SECRETS.app) });
      const r4 = await postForm(`${srv.url}/oauth2/token`, { grant_type: secret }, { authorization: svcAuth });
      for (const r of [r1, r2, r3]) {
        assert.ok(r.status >= 400 && r.status < 500);
        assert.ok(!r.text.includes(secret), r.text);
      }
      // An unknown grant type is named (it is not a secret), but cut short.
      assert.equal(r4.json.error, 'unsupported_grant_type');
    });

    it('unknown paths are 404 with an OAuth-style body', async () => {
      const r = await raw(srv.url, { method: 'GET', path: '/nope' });
      expectError(r, 404, 'invalid_request');
    });
  });
}

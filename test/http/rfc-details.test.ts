// RFC details over HTTP, on the standard endpoints and every dialect: one parameter sent
// twice (query and body, or a JSON key repeated), error_description's character set,
// VSCHAR client credentials, and the scope a rotated refresh token keeps.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { basic, postForm, startTestServer, type TestServer } from '../helpers/server.js';
import { BACKENDS } from '../helpers/stores.js';
import { PASSWORDS, SECRETS, standardConfig } from './fixtures.js';

const O_SECRET = 'o-secret-0123456789abcdefghijklmnopqrstuvw';
const V1_SECRET = 'v1-secret-0123456789abcdefghijklmnopqrstuv';

const config = {
  ...standardConfig,
  clients: [
    ...standardConfig.clients,
    { client_id: 'dot', client_secret: O_SECRET, grant_types: ['client_credentials', 'password', 'refresh_token'], scope: 'read', profile: 'o' },
    { client_id: 'v1app', client_secret: V1_SECRET, grant_types: ['client_credentials', 'password', 'refresh_token'], scope: 'read', profile: 'v1' },
  ],
};

/** A request with a body in any content type, to any path (query string included). */
async function post(url: string, body: string, type = 'application/x-www-form-urlencoded', headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': type, ...headers }, body });
  const text = await res.text();
  let json: any;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, json, text };
}

/** The description of an error body: RFC 6749 §5.2's, or HCX's `error.message`. */
function descriptionOf(r: { json: any; text: string }): string {
  const d = typeof r.json?.error === 'object' ? r.json.error.message : r.json?.error_description;
  assert.equal(typeof d, 'string', r.text);
  return d as string;
}

// RFC 6749 §5.2: %x20-21 / %x23-5B / %x5D-7E.
const DESCRIPTION_CHARS = /^[\x20\x21\x23-\x5B\x5D-\x7E]*$/;

for (const backend of BACKENDS) {
  describe(`RFC details (${backend})`, () => {
    let srv: TestServer;
    const svc = { authorization: basic('svc', SECRETS.svc) };
    before(async () => { srv = await startTestServer(backend, config); });
    after(async () => { await srv.close(); });

    it('a parameter in both the query string and the body is invalid_request on every route (RFC 6749 §3.2)', async () => {
      const hcx = '/api/v0.8/participant/auth/token/generate';
      const dot = { authorization: basic('dot', O_SECRET) };
      // [path, body, the parameter repeated in the query string, headers]
      const routes: [string, string, string, Record<string, string>][] = [
        ['/oauth2/token', 'grant_type=client_credentials&scope=read', 'scope', svc],
        ['/oauth2/introspect', 'token=abc&scope=read', 'scope', svc],
        ['/oauth2/revoke', 'token=abc&scope=read', 'scope', svc],
        ['/o/token/', 'grant_type=client_credentials&scope=read', 'scope', dot],
        ['/o/revoke_token/', 'token=abc&scope=read', 'scope', dot],
        ['/o/introspect/', 'token=abc&scope=read', 'scope', dot],
        ['/v1/oauth/token/company', `grant_type=client_credentials&client_id=v1app&client_secret=${V1_SECRET}&scope=read`, 'scope', {}],
        [hcx, `username=alice&participant_code=hosp-1%40swasth&password=${encodeURIComponent(PASSWORDS.alice)}`, 'username', {}],
      ];
      for (const [path, body, name, headers] of routes) {
        // Without the repeat, the request is fine: a query string alone is not the problem.
        const fine = await post(`${srv.url}${path}?other=1`, body, undefined, headers);
        assert.equal(fine.status, 200, `${path}: ${fine.text}`);
        const r = await post(`${srv.url}${path}?${name}=x`, body, undefined, headers);
        assert.equal(r.status, 400, `${path}: ${r.text}`);
        if (path === hcx) assert.equal(r.json.error.code, 'ERR_INVALID_REQUEST', r.text);
        else assert.equal(r.json.error, 'invalid_request', `${path}: ${r.text}`);
        assert.match(descriptionOf(r), new RegExp(`${name}.*query string`), path);
      }
      // JSON bodies too, and a query parameter without a value counts as omitted (§3.2).
      const json = JSON.stringify({ grant_type: 'client_credentials', scope: 'read' });
      const r = await post(`${srv.url}/oauth2/token?grant_type=client_credentials`, json, 'application/json', svc);
      assert.equal(r.status, 400, r.text);
      assert.match(r.json.error_description, /grant_type.*query string/);
      assert.equal((await post(`${srv.url}/oauth2/token?scope=`, 'grant_type=client_credentials&scope=read', undefined, svc)).status, 200);
    });

    it('a key repeated in a JSON body is invalid_request, as a repeated form parameter is', async () => {
      const cases = [
        '{"grant_type":"client_credentials","scope":"read","scope":"write"}',
        '{"grant_type":"client_credentials","scope":"read", "\\u0073cope" :"write"}',
      ];
      for (const body of cases) {
        const r = await post(`${srv.url}/oauth2/token`, body, 'application/json', svc);
        assert.equal(r.status, 400, r.text);
        assert.equal(r.json.error, 'invalid_request');
        assert.match(r.json.error_description, /scope.*repeated/);
      }
      // The v1 dialect, whose requests are JSON.
      const v1 = await post(`${srv.url}/v1/oauth/token/company`,
        `{"grant_type":"password","client_id":"v1app","client_secret":"${V1_SECRET}","grant_type":"client_credentials"}`, 'application/json');
      assert.equal(v1.status, 400, v1.text);
      assert.match(v1.json.error_description, /grant_type.*repeated/);
      // A value equal to a key's name is not a key.
      const ok = await post(`${srv.url}/oauth2/token`, '{"audience_note":"grant_type","grant_type":"client_credentials","x":"{\\"scope\\":1,"}', 'application/json', svc);
      assert.equal(ok.status, 200, ok.text);
    });

    it('no error_description holds a character outside %x20-21 / %x23-5B / %x5D-7E, on any route or dialect (RFC 6749 §5.2)', async () => {
      const nasty = 'x"y\\z\u00e9\u0001';
      const form = (o: Record<string, string>) => new URLSearchParams(o).toString();
      const requests: [string, string, string?, Record<string, string>?][] = [
        ['/oauth2/token', form({ grant_type: nasty }), undefined, svc],
        ['/oauth2/token', form({ grant_type: nasty }), undefined, { authorization: basic('apk-user', SECRETS.app) }],
        ['/oauth2/token', 'grant_type=client_credentials&a%22b%5C=1&a%22b%5C=2', undefined, svc],
        ['/oauth2/token', `{"grant_type":"client_credentials","a\\"b\\\\":1,"a\\"b\\\\":2}`, 'application/json', svc],
        ['/oauth2/token', `{"grant_type":"client_credentials","q\\"":{}}`, 'application/json', svc],
        ['/oauth2/introspect?x%22%5C=1', form({ 'x"\\': '2', token: 't' }), undefined, svc],
        ['/o/token/', form({ grant_type: nasty }), undefined, { authorization: basic('dot', O_SECRET) }],
        ['/o/token/', 'grant_type=password&a%22b=1&a%22b=2'],
        ['/v1/oauth/token/ad%22m%5Cin', form({ grant_type: 'client_credentials' })],
        ['/v1/oauth/token/user', JSON.stringify({ grant_type: nasty, client_id: 'v1app', client_secret: V1_SECRET }), 'application/json'],
        ['/api/v0.8/participant/auth/token/generate', 'username=a&a%22b%5C=1&a%22b%5C=2'],
        ['/api/v0.8/user/auth/token/generate', `{"username":"a","q\\"\\\\":{}}`, 'application/json'],
      ];
      for (const [path, body, type, headers] of requests) {
        const r = await post(`${srv.url}${path}`, body, type, headers);
        assert.ok(r.status >= 400 && r.status < 500, `${path} ${body}: ${r.status} ${r.text}`);
        assert.match(descriptionOf(r), DESCRIPTION_CHARS, `${path} ${body}: ${r.text}`);
      }
    });

    it('a refresh with a narrower scope narrows the access token, not the new refresh token (RFC 6749 §6)', async () => {
      const app = { authorization: basic('app', SECRETS.app) };
      const first = await postForm(`${srv.url}/oauth2/token`, { grant_type: 'password', username: 'bob', password: PASSWORDS.bob, scope: 'read write' }, app);
      assert.equal(first.status, 200, first.text);
      const narrow = await postForm(`${srv.url}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: first.json.refresh_token, scope: 'read' }, app);
      assert.equal(narrow.status, 200, narrow.text);
      assert.equal(narrow.json.scope, 'read');
      assert.equal(decodeJwt(narrow.json.access_token).scope, 'read');
      const again = await postForm(`${srv.url}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: narrow.json.refresh_token }, app);
      assert.equal(again.status, 200, again.text);
      assert.equal(again.json.scope, 'read write');
      assert.equal(decodeJwt(again.json.access_token).scope, 'read write');
    });

    it('a resource asked at refresh binds that access token only (RFC 8707 §2.2)', async () => {
      const app = { authorization: basic('app', SECRETS.app) };
      const first = await postForm(`${srv.url}/oauth2/token`, { grant_type: 'password', username: 'bob', password: PASSWORDS.bob }, app);
      const bound = await postForm(`${srv.url}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: first.json.refresh_token, resource: 'https://r1.example' }, app);
      assert.equal(bound.status, 200, bound.text);
      assert.equal(decodeJwt(bound.json.access_token).aud, 'https://r1.example');
      const again = await postForm(`${srv.url}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: bound.json.refresh_token }, app);
      assert.equal(again.status, 200, again.text);
      assert.equal(decodeJwt(again.json.access_token).aud, srv.url);
    });
  });

  describe(`client_id and client_secret are any VSCHAR (RFC 6749 Appendix A.1, A.2) (${backend})`, () => {
    const id = 'a:b/c%d+e&f=g h';
    const secret = 'p:q/r%s+t&u=v w"x\\y-0123456789abcdefghijklmnop';
    let srv: TestServer;
    before(async () => {
      srv = await startTestServer(backend, { clients: [{ client_id: id, client_secret: secret, grant_types: ['client_credentials'], scope: 'read' }] });
    });
    after(async () => { await srv.close(); });

    const token = (headers: Record<string, string>, form: Record<string, string> = {}) =>
      postForm(`${srv.url}/oauth2/token`, { grant_type: 'client_credentials', ...form }, headers);
    const basicWith = (encode: (s: string) => string) =>
      `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`;

    it('HTTP Basic with the id and secret form-url-encoded, space as %20 or + (RFC 6749 §2.3.1)', async () => {
      for (const authorization of [basic(id, secret), basicWith((s) => encodeURIComponent(s).replace(/%20/g, '+'))]) {
        const r = await token({ authorization });
        assert.equal(r.status, 200, r.text);
        assert.equal(decodeJwt(r.json.access_token).client_id, id);
      }
    });

    it('client_secret_post', async () => {
      const r = await token({}, { client_id: id, client_secret: secret });
      assert.equal(r.status, 200, r.text);
      assert.equal(decodeJwt(r.json.access_token).client_id, id);
    });

    it('a Basic header whose id and secret are not form-url-encoded is invalid_client', async () => {
      const r = await token({ authorization: basicWith((s) => s.replace(/:/g, '%3A')) });
      assert.equal(r.status, 401, r.text);
      assert.equal(r.json.error, 'invalid_client');
    });
  });
}

describe('error_description characters (RFC 6749 §5.2)', () => {
  it('a cited section sign is spelt out; other characters outside %x20-21 / %x23-5B / %x5D-7E become ?', async () => {
    const { errorDescription } = await import('../../src/core/errors.js');
    assert.equal(errorDescription('password grant MUST NOT be used (RFC 9700 §2.4)'), 'password grant MUST NOT be used (RFC 9700 section 2.4)');
    assert.equal(errorDescription('a "b" \\ é\n'), "a 'b' ? ? ");
  });
});

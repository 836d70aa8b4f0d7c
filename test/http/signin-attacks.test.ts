// The browser sign-in as an adversary sees it (issue 9 review): inputs that reached the
// store or the page unchecked, redirect URI tricks, and what a failure must look like.
// Each test here was written to fail against the code before its fix.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { textOf } from '../helpers/cookie-jar.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { authorizeUrl, CHALLENGE, signinEntities } from '../helpers/signin.js';
import { BACKENDS } from '../helpers/stores.js';

const PKCE = { code_challenge: CHALLENGE, code_challenge_method: 'S256' };

for (const backend of BACKENDS) {
  describe(`sign-in under attack (${backend})`, () => {
    let srv: TestServer;
    before(async () => {
      srv = await startTestServer(backend, { ...signinEntities, registration: { initial_access_token: 'open' } });
    });
    after(async () => { await srv.close(); });
    const get = async (path: string, headers: Record<string, string> = {}) => {
      const res = await fetch(`${srv.url}${path}`, { redirect: 'manual', headers });
      return { status: res.status, headers: res.headers, text: await res.text() };
    };

    // PostgreSQL text cannot hold NUL: a NUL in a query or path parameter reached the store
    // (client lookups, the code's nonce) and came back as a 500. Bodies were already checked.
    it('a NUL in a query or path parameter is a 400 invalid_request, never a 500', async () => {
      const pages = [
        '/oauth2/authorize?client_id=web%00',
        authorizeUrl({ scope: 'openid', nonce: 'a\u0000b', ...PKCE }),
        '/oauth2/logout?client_id=web%00',
        '/oauth2/logout?client_id=web&post_logout_redirect_uri=https%3A%2F%2Fapp.example%2Fbye&state=a%00b',
      ];
      for (const path of pages) {
        const r = await get(path);
        assert.equal(r.status, 400, `${path}: ${r.text.slice(0, 300)}`);
        assert.equal(textOf(r.text, 'error-code'), 'invalid_request', path);
        assert.match(r.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
      }
      const reg = await get('/oauth2/register/abc%00', { authorization: 'Bearer abc' });
      assert.equal(reg.status, 400, reg.text);
      assert.equal(JSON.parse(reg.text).error, 'invalid_request');
    });

    // RFC 8252 §7.3 lets a loopback redirect's port vary; "any digits" let through ports no
    // socket can have (0, 65536-99999) and sent the browser to an invalid URL (WHATWG URL
    // refuses a port above 65535): the request must stop at the error page instead.
    it('a loopback redirect URI with a port outside 1-65535 is refused on the page, not redirected', async () => {
      const at = (redirect_uri: string) => `/oauth2/authorize?${new URLSearchParams({ response_type: 'code', client_id: 'spa', redirect_uri, scope: 'openid', ...PKCE })}`;
      for (const port of ['0', '65536', '99999', '00000']) {
        const r = await get(at(`http://127.0.0.1:${port}/callback`));
        assert.equal(r.status, 400, `port ${port}: ${r.text.slice(0, 200)}`);
        assert.equal(r.headers.get('location'), null);
        assert.equal(textOf(r.text, 'error-code'), 'invalid_request');
      }
      for (const port of ['1', '65535', '8400', '51004']) assert.equal((await get(at(`http://127.0.0.1:${port}/callback`))).status, 200, `port ${port}`);
    });
  });
}

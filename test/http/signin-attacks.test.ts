// The browser sign-in as an adversary sees it (issue 9 review): inputs that reached the
// store or the page unchecked, redirect URI tricks, and what a failure must look like.
// Each test here was written to fail against the code before its fix.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Browser, textOf } from '../helpers/cookie-jar.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { authorizeUrl, CB, CHALLENGE, decide, signinEntities, submitLogin } from '../helpers/signin.js';
import { BACKENDS } from '../helpers/stores.js';

const PKCE = { code_challenge: CHALLENGE, code_challenge_method: 'S256' };

for (const backend of BACKENDS) {
  describe(`sign-in under attack (${backend})`, () => {
    let srv: TestServer;
    before(async () => {
      srv = await startTestServer(backend, { ...signinEntities, registration: { initial_access_token: 'open' } });
    });
    after(async () => { await srv.close(); });
    const json = async (method: string, path: string, body: unknown, token?: string) => {
      const res = await fetch(`${srv.url}${path}`, { method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
      return { status: res.status, json: await res.json() as Record<string, any> };
    };
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

    // The request travels sealed for up to 10 minutes between the pages; the registration
    // can change meanwhile (RFC 7592 PUT, the CLI, the config file). A redirect URI removed
    // (say, a domain that was lost) must not receive a code from a form opened before.
    it('a redirect URI removed from the client while the login or consent page was open gets no code', async () => {
      const uris = ['https://keep.example/cb', 'https://lost.example/cb'];
      const reg = await json('POST', '/oauth2/register', { client_name: 'Moving', token_endpoint_auth_method: 'none', grant_types: ['authorization_code'], redirect_uris: uris, scope: 'openid' });
      assert.equal(reg.status, 201, JSON.stringify(reg.json));
      const { client_id, registration_access_token: rat } = reg.json;
      const b = new Browser(srv.url);
      const login = await b.get(`/oauth2/authorize?${new URLSearchParams({ response_type: 'code', client_id, redirect_uri: uris[1]!, scope: 'openid', state: 'st', ...PKCE })}`);
      assert.equal(login.status, 200, login.text.slice(0, 300));
      const consent = await submitLogin(b, login, 'alice');
      assert.match(consent.text, /id="consent-form"/);
      const update = (redirect_uris: string[]) => json('PUT', `/oauth2/register/${client_id}`, { client_id, client_name: 'Moving', token_endpoint_auth_method: 'none', grant_types: ['authorization_code'], redirect_uris, scope: 'openid' }, rat);
      // Removed while the consent page is open: allowing sends nothing there.
      assert.equal((await update([uris[0]!])).status, 200);
      const allowed = await decide(b, consent, 'allow');
      assert.equal(allowed.location, null, `redirected to ${allowed.location}`);
      assert.equal(allowed.status, 400, allowed.text.slice(0, 300));
      assert.equal(textOf(allowed.text, 'error-code'), 'invalid_request');
      // Removed while the login page is open: signing in sends nothing there either.
      assert.equal((await update(uris)).status, 200);
      const again = await b.get(`/oauth2/authorize?${new URLSearchParams({ response_type: 'code', client_id, redirect_uri: uris[1]!, scope: 'openid', prompt: 'login', ...PKCE })}`);
      assert.equal(again.status, 200);
      assert.equal((await update([uris[0]!])).status, 200);
      const after = await submitLogin(b, again, 'alice');
      assert.equal(after.location, null, `redirected to ${after.location}`);
      assert.equal(after.status, 400, after.text.slice(0, 300));
      assert.equal(textOf(after.text, 'error-code'), 'invalid_request');
    });

    // validate.ts bounds what an open registration may store (50 redirect URIs of 2 KiB),
    // but grant_types and scope skipped the bound: thousands of copies of one grant type or scope
    // were stored as they came (up to the 64 KiB body a client).
    it('registration stores each grant type and scope once, however often the request repeats them', async () => {
      const r = await json('POST', '/oauth2/register', {
        redirect_uris: ['https://dup.example/cb'], grant_types: Array(1500).fill('authorization_code'), scope: Array(1500).fill('openid').join(' '),
      });
      assert.equal(r.status, 201, JSON.stringify(r.json).slice(0, 300));
      assert.deepEqual(r.json.grant_types, ['authorization_code']);
      assert.equal(r.json.scope, 'openid');
      const stored = await srv.tessera.store.clients.get(r.json.client_id);
      assert.deepEqual(stored?.grant_types, ['authorization_code']);
      assert.equal(stored?.scope, 'openid');
    });

    // The config file, the CLI and registration all refuse a javascript: or data: URL, but
    // the consent page trusted whatever the store held (a row written by another tool, an
    // older version, the admin API): an href of javascript: runs on our origin when clicked.
    it('the consent page links and shows only https (or loopback http) client URLs, whatever the store holds', async () => {
      const web = await srv.tessera.store.clients.get('web');
      assert.ok(web);
      await srv.tessera.store.clients.upsert({
        ...web, client_id: 'stored-js', client_name: 'Stored', redirect_uris: ['https://stored.example/cb'],
        client_uri: 'javascript:alert(document.domain)', policy_uri: 'JavaScript:alert(1)', tos_uri: 'data:text/html,<script>alert(1)</script>',
        logo_uri: 'javascript:alert(2)',
      });
      const b = new Browser(srv.url);
      const login = await b.get(`/oauth2/authorize?${new URLSearchParams({ response_type: 'code', client_id: 'stored-js', redirect_uri: 'https://stored.example/cb', scope: 'openid' })}`);
      const consent = await submitLogin(b, login, 'bob');
      assert.match(consent.text, /id="consent-form"/);
      assert.doesNotMatch(consent.text, /(href|src)="\s*(javascript|data):/i);
      assert.equal(textOf(consent.text, 'consent-client'), 'Stored');
    });

    // JSON can carry a lone UTF-16 surrogate (\ud800), which no URL can encode:
    // encodeURIComponent threw on the state of a redirect back to the client, a 500.
    it('a lone surrogate in a JSON body is a 400 invalid_request, never a 500', async () => {
      const post = async (path: string, body: string) => {
        const res = await fetch(`${srv.url}${path}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/json' }, body });
        return { status: res.status, location: res.headers.get('location'), text: await res.text() };
      };
      const cases: [string, string][] = [
        ['/oauth2/authorize', `{"client_id":"web","redirect_uri":"${CB}","response_type":"token","state":"\\ud800"}`],
        ['/oauth2/authorize', `{"client_id":"web","redirect_uri":"${CB}","response_type":"code","prompt":"none","state":"x\\udfffy"}`],
        ['/oauth2/logout', '{"client_id":"web","post_logout_redirect_uri":"https://app.example/bye","state":"\\ud800"}'],
      ];
      for (const [path, body] of cases) {
        const r = await post(path, body);
        assert.equal(r.status, 400, `${path} ${body}: ${r.text.slice(0, 300)}`);
        assert.equal(r.location, null);
        assert.equal(textOf(r.text, 'error-code'), 'invalid_request');
      }
      // A well-formed pair (an emoji) is fine.
      const ok = await post('/oauth2/authorize', `{"client_id":"web","redirect_uri":"${CB}","response_type":"code","prompt":"none","state":"\\ud83d\\ude00"}`);
      assert.equal(ok.status, 302, ok.text.slice(0, 300));
      assert.equal(new URL(ok.location!).searchParams.get('state'), '\u{1F600}');
    });

    // Checked and sound, kept as a guard: session fixation and the CSRF cookie.
    it('a planted session cookie is never adopted; each browser gets its own HttpOnly SameSite=Lax CSRF cookie', async () => {
      const victim = new Browser(srv.url);
      victim.cookies.set('tessera_session', 'planted-by-the-attacker-0123456789');
      victim.cookies.set('tessera_csrf', 'planted-csrf-0123456789');
      const page = await victim.get(authorizeUrl({ scope: 'openid', ...PKCE }));
      // A CSRF cookie the server did not make is kept, but it only binds forms of this browser.
      const other = new Browser(srv.url);
      await other.get(authorizeUrl({ scope: 'openid', ...PKCE }));
      const made = other.cookies.get('tessera_csrf');
      assert.ok(made && made.length >= 43);
      const third = new Browser(srv.url);
      const p3 = await third.get(authorizeUrl({ scope: 'openid', ...PKCE }));
      assert.notEqual(third.cookies.get('tessera_csrf'), made);
      const set = p3.setCookies.find((c) => c.startsWith('tessera_csrf='));
      assert.match(set ?? '', /; Path=\/; HttpOnly; SameSite=Lax/);
      const done = await submitLogin(victim, page, 'carol');
      const session = done.setCookies.find((c) => c.startsWith('tessera_session='));
      assert.ok(session, 'sign-in sets a session cookie');
      assert.match(session, /; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+/);
      assert.notEqual(victim.cookies.get('tessera_session'), 'planted-by-the-attacker-0123456789');
      // The planted value names no session: a browser holding only it is not signed in.
      const attacker = new Browser(srv.url);
      attacker.cookies.set('tessera_session', 'planted-by-the-attacker-0123456789');
      const probe = await attacker.get(authorizeUrl({ scope: 'openid', prompt: 'none', ...PKCE }));
      assert.equal(new URL(probe.location!).searchParams.get('error'), 'login_required');
    });

    // new URL() accepted these (it drops tabs and newlines, and percent-encodes spaces, quotes
    // and non-ASCII), but the URI was stored as sent: a newline made every redirect to it and
    // every logout back to it a 500 (Node refuses the Location header), the others went out
    // raw in Location. RFC 3986 §2: a URI is ASCII URI characters only.
    it('a redirect URI (or any client URL) that is not RFC 3986 URI characters is refused at registration', async () => {
      for (const uri of ['https://a.example/cb\n', 'https://a.example/cb\r\nX-Evil: 1', 'https://a.example/c\tb', 'https://a.example/c b', 'https://a.example/c"b', 'https://a.example/c<b>', 'https://a.example/cé']) {
        const r = await json('POST', '/oauth2/register', { token_endpoint_auth_method: 'none', redirect_uris: [uri] });
        assert.equal(r.status, 400, `${JSON.stringify(uri)}: ${JSON.stringify(r.json)}`);
        assert.equal(r.json.error, 'invalid_redirect_uri');
        const p = await json('POST', '/oauth2/register', { token_endpoint_auth_method: 'none', redirect_uris: ['https://a.example/cb'], post_logout_redirect_uris: [uri] });
        assert.equal(p.status, 400, `post_logout ${JSON.stringify(uri)}: ${JSON.stringify(p.json)}`);
        assert.equal(p.json.error, 'invalid_client_metadata');
        const l = await json('POST', '/oauth2/register', { token_endpoint_auth_method: 'none', redirect_uris: ['https://a.example/cb'], policy_uri: uri });
        assert.equal(l.status, 400, `policy_uri ${JSON.stringify(uri)}: ${JSON.stringify(l.json)}`);
        assert.equal(l.json.error, 'invalid_client_metadata');
      }
      // Percent-encoded, the same URIs are fine, and a query is kept as registered.
      const ok = await json('POST', '/oauth2/register', { token_endpoint_auth_method: 'none', redirect_uris: ['https://a.example/c%20b?x=%C3%A9&y=[1]', 'com.example.app:/cb'] });
      assert.equal(ok.status, 201, JSON.stringify(ok.json));
    });

    // The registration body has its own JSON parser: a lone surrogate was answered back in
    // the 201 as sent, but stored as U+FFFD (UTF-8 cannot hold it): the client's metadata
    // in the response was not what the server kept.
    it('registration refuses a lone surrogate anywhere in the metadata', async () => {
      const post = (body: string) => fetch(`${srv.url}/oauth2/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      for (const body of [
        '{"client_name":"a\\ud800b","redirect_uris":["https://a.example/cb"]}',
        '{"redirect_uris":["https://a.example/cb"],"contacts":["\\udfff"]}',
        '{"redirect_uris":["https://a.example/cb"],"x\\ud800":1}',
      ]) {
        const r = await post(body);
        const doc = await r.json() as Record<string, string>;
        assert.equal(r.status, 400, `${body}: ${JSON.stringify(doc)}`);
        assert.equal(doc.error, 'invalid_request');
      }
      const ok = await post('{"client_name":"\\ud83d\\ude00 app","redirect_uris":["https://a.example/cb"]}');
      const doc = await ok.json() as Record<string, string>;
      assert.equal(ok.status, 201, JSON.stringify(doc));
      assert.equal((await srv.tessera.store.clients.get(doc.client_id!))?.client_name, '\u{1F600} app');
    });
  });
}

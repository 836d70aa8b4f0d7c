// Black-box: the authorization endpoint, hosted login and consent through a real server,
// with fetch and a cookie jar (the Chromium runs are test/browser's). Codes are checked in
// the store (hashToken(code)) rather than exchanged.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hashToken } from '../../src/core/secrets.js';
import { Browser, formFields, textOf } from '../helpers/cookie-jar.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { authorizeUrl, CB, CHALLENGE, decide, PW, redirectParams, signinEntities, submitLogin, VERIFIER } from '../helpers/signin.js';
import { BACKENDS } from '../helpers/stores.js';

for (const backend of BACKENDS) {
  describe(`authorization endpoint and hosted login (${backend})`, () => {
    let srv: TestServer;
    before(async () => { srv = await startTestServer(backend, signinEntities); });
    after(async () => { await srv.close(); });

    const browser = () => new Browser(srv.url);
    /** Signs `username` in through a full run for `web` (consent allowed); returns the browser. */
    async function signedIn(username: string): Promise<Browser> {
      const b = browser();
      const consent = await submitLogin(b, await b.get(authorizeUrl({ scope: 'openid', state: 's' })), username);
      const done = consent.status === 200 ? await decide(b, consent, 'allow') : consent;
      redirectParams(done, CB);
      return b;
    }

    it('confidential client: login page, consent, code at the redirect URI with state and iss; the code is stored by hash with the request', async () => {
      const b = browser();
      const login = await b.get(authorizeUrl({ scope: 'openid profile', state: 'st-1', nonce: 'n-1', code_challenge: CHALLENGE, code_challenge_method: 'S256', login_hint: 'alice' }));
      assert.equal(login.status, 200);
      assert.match(login.headers.get('content-type')!, /^text\/html; charset=utf-8/);
      assert.match(login.text, /<form id="login-form" method="post" action="\/oauth2\/login"/);
      assert.match(login.text, /<label for="username">/);
      assert.match(login.text, /<input id="username" name="username" autocomplete="username"[^>]* value="alice"/);
      assert.match(login.text, /<input id="password" name="password" type="password" autocomplete="current-password"/);
      assert.match(login.text, /<button type="submit" id="login-submit">/);
      assert.match(login.text, /<html lang="en">/);
      assert.match(login.text, /<main id="main">/);
      assert.ok(formFields(login.text, 'login-form').csrf_token);
      // No session before login: only the CSRF cookie.
      assert.deepEqual([...b.cookies.keys()], ['tessera_csrf']);

      const consent = await submitLogin(b, login, 'alice');
      assert.equal(consent.status, 200, consent.text.slice(0, 500));
      assert.equal(textOf(consent.text, 'consent-client'), 'Web App');
      assert.match(consent.text, /<ul id="consent-scopes"[^>]*>\s*<li data-scope="openid">[^<]+<\/li>\s*<li data-scope="profile">/);
      assert.match(consent.text, /<button type="submit" name="decision" value="allow" id="consent-allow">/);
      assert.match(consent.text, /<button type="submit" name="decision" value="deny" id="consent-deny"/);
      const sessionCookie = consent.setCookies.find((c) => c.startsWith('tessera_session='));
      assert.ok(sessionCookie, 'session cookie set at login');
      assert.match(sessionCookie!, /; Path=\/; HttpOnly; SameSite=Lax; Max-Age=28800$/);

      const done = await decide(b, consent, 'allow');
      assert.equal(done.status, 303);
      const q = redirectParams(done, CB);
      assert.equal(q.get('state'), 'st-1');
      assert.equal(q.get('iss'), srv.url);
      const code = q.get('code')!;
      assert.match(code, /^[A-Za-z0-9_-]{43}$/);
      const rec = await srv.tessera.store.codes.find(hashToken(code));
      assert.ok(rec);
      const session = await srv.tessera.store.sessions.get(hashToken(b.cookies.get('tessera_session')!), Math.floor(Date.now() / 1000));
      const alice = await srv.tessera.store.users.getByUsername('alice');
      assert.equal(rec.client_id, 'web');
      assert.equal(rec.user_id, alice!.id);
      assert.equal(rec.redirect_uri, CB);
      assert.equal(rec.redirect_uri_given, true);
      assert.equal(rec.scope, 'openid profile');
      assert.equal(rec.code_challenge, CHALLENGE);
      assert.equal(rec.code_challenge_method, 'S256');
      assert.equal(rec.nonce, 'n-1');
      assert.equal(rec.sid, session!.sid);
      assert.equal(rec.auth_time, session!.auth_time);
      assert.equal(rec.used_at, null);
      assert.ok(rec.expires_at - rec.created_at === 60);

      // Second run: consent remembered, no page at all.
      const again = await b.get(authorizeUrl({ scope: 'openid', state: 'st-2' }));
      assert.equal(again.status, 302);
      assert.equal(redirectParams(again, CB).get('state'), 'st-2');
      // prompt=consent asks again even so.
      const asked = await b.get(authorizeUrl({ scope: 'openid', prompt: 'consent' }));
      assert.equal(asked.status, 200);
      assert.match(asked.text, /id="consent-form"/);
      // More scopes than were allowed: asked again.
      const more = await b.get(authorizeUrl({ scope: 'openid email' }));
      assert.match(more.text, /id="consent-form"/);
    });

    it('POST /oauth2/authorize with a form body works as GET', async () => {
      const b = browser();
      const r = await b.post('/oauth2/authorize', { response_type: 'code', client_id: 'web', redirect_uri: CB, scope: 'read', state: 'p' });
      assert.equal(r.status, 200);
      assert.match(r.text, /id="login-form"/);
    });

    it('public client with PKCE on a loopback redirect whose port differs, answered by form_post', async () => {
      const b = browser();
      const redirect = 'http://127.0.0.1:53123/callback';
      const login = await b.get(authorizeUrl({ client_id: 'spa', redirect_uri: redirect, scope: 'openid', state: 'f', code_challenge: CHALLENGE, code_challenge_method: 'S256', response_mode: 'form_post' }));
      const consent = await submitLogin(b, login, 'bob');
      // The consent page may lead to the client: CSP form-action names it (a redirect after a form).
      assert.match(consent.headers.get('content-security-policy')!, /form-action 'self' http:\/\/127\.0\.0\.1:53123/);
      const post = await decide(b, consent, 'allow');
      assert.equal(post.status, 200);
      assert.match(post.text, /<form id="form-post" method="post" action="http:\/\/127\.0\.0\.1:53123\/callback">/);
      const f = formFields(post.text, 'form-post');
      assert.equal(f.state, 'f');
      assert.equal(f.iss, srv.url);
      assert.match(post.text, /<noscript><button type="submit" id="form-post-continue">/);
      const csp = post.headers.get('content-security-policy')!;
      assert.match(csp, /script-src 'sha256-[A-Za-z0-9+/]+=*'/);
      assert.match(csp, /form-action 'self' http:\/\/127\.0\.0\.1:53123/);
      const rec = await srv.tessera.store.codes.find(hashToken(f.code!));
      assert.equal(rec?.redirect_uri, redirect);
      assert.equal(rec?.client_id, 'spa');
      // [::1] registered without a port: any port.
      const v6 = await b.get(authorizeUrl({ client_id: 'spa', redirect_uri: 'http://[::1]:9999/cb', scope: 'read', code_challenge: CHALLENGE, code_challenge_method: 'S256' }));
      assert.equal(v6.status, 200, v6.text.slice(0, 300));
      assert.match(v6.headers.get('content-security-policy')!, /form-action 'self' http:;/);
    });

    it('PKCE rules: public clients must send a challenge; plain only where allowed; malformed challenges refused', async () => {
      const b = browser();
      const spa = (o: Record<string, string>) => b.get(authorizeUrl({ client_id: 'spa', redirect_uri: 'http://127.0.0.1:8400/callback', state: 'k', ...o }));
      for (const [o, what] of [
        [{}, 'no challenge'],
        [{ code_challenge: CHALLENGE }, 'method absent = plain'],
        [{ code_challenge: CHALLENGE, code_challenge_method: 'plain' }, 'plain not allowed'],
        [{ code_challenge: 'short', code_challenge_method: 'S256' }, 'too short'],
        [{ code_challenge: `${CHALLENGE}!`, code_challenge_method: 'S256' }, 'bad characters'],
        [{ code_challenge: `${CHALLENGE}A`, code_challenge_method: 'S256' }, 'S256 of 44 characters: no SHA-256 is that long'],
        [{ code_challenge: CHALLENGE, code_challenge_method: 'S512' }, 'unknown method'],
      ] as const) {
        const r = await spa(o);
        const q = redirectParams(r, 'http://127.0.0.1:8400/callback');
        assert.equal(q.get('error'), 'invalid_request', what);
        assert.equal(q.get('state'), 'k');
        assert.equal(q.get('iss'), srv.url);
      }
      // A client that allows plain: the method may be absent.
      const plain = await b.get(authorizeUrl({ client_id: 'plain', redirect_uri: 'com.example.app:/cb', code_challenge: VERIFIER }));
      assert.equal(plain.status, 200);
      assert.match(plain.headers.get('content-security-policy')!, /form-action 'self' com\.example\.app:/);
    });

    it('errors after the redirect URI is trusted go back to it (RFC 6749 §4.1.2.1, OIDC §3.1.2.6)', async () => {
      const b = browser();
      const cases: [Record<string, string>, string][] = [
        [{ response_type: 'token' }, 'unsupported_response_type'],
        [{ response_type: '' }, 'invalid_request'],
        [{ scope: 'admin' }, 'invalid_scope'],
        [{ response_mode: 'fragment' }, 'invalid_request'],
        [{ request: 'eyJ.x.y' }, 'request_not_supported'],
        [{ request_uri: 'https://x.example/r' }, 'request_uri_not_supported'],
        [{ prompt: 'none login' }, 'invalid_request'],
        [{ prompt: 'sometimes' }, 'invalid_request'],
        [{ max_age: '-1' }, 'invalid_request'],
        [{ resource: 'https://not-allowed.example' }, 'invalid_target'],
      ];
      for (const [o, code] of cases) {
        const q = redirectParams(await b.get(authorizeUrl({ state: 'e', ...o })), CB);
        assert.equal(q.get('error'), code, JSON.stringify(o));
        assert.equal(q.get('state'), 'e');
        assert.equal(q.get('iss'), srv.url);
        assert.ok(q.get('error_description'));
      }
      const cc = redirectParams(await b.get(authorizeUrl({ client_id: 'cc', redirect_uri: 'https://cc.example/cb' })), 'https://cc.example/cb');
      assert.equal(cc.get('error'), 'unauthorized_client');
      assert.equal(cc.get('state'), null, 'no state when none was sent');
      // A repeated parameter: invalid_request (RFC 6749 §3.1).
      const dup = await b.get(`${authorizeUrl({ state: 'd' })}&scope=read&scope=openid`);
      assert.equal(redirectParams(dup, CB).get('error'), 'invalid_request');
      // An error in form_post mode comes back by form_post.
      const fp = await b.get(authorizeUrl({ response_mode: 'form_post', response_type: 'token', state: 'z' }));
      assert.equal(fp.status, 200);
      assert.equal(formFields(fp.text, 'form-post').error, 'unsupported_response_type');
    });

    it('open redirect attempts and unknown clients: an error page (400, no Location), never a redirect', async () => {
      const b = browser();
      const bad = [
        'https://attacker.example/cb', 'https://app.example/cb/extra', 'https://app.example/c', 'https://app.example/cb?x=1',
        'https://app.example/cb#frag', 'https://app.example.attacker.example/cb', 'https://app.example@attacker.example/cb',
        'https://attacker.example@app.example/cb', 'http://app.example/cb', 'https://APP.example/cb', 'https://app.example:443/cb',
        'https://app.example/cb/../cb', ' https://app.example/cb', 'javascript:alert(1)',
      ];
      for (const uri of bad) {
        const r = await b.get(authorizeUrl({ redirect_uri: uri, state: 's' }));
        assert.equal(r.status, 400, uri);
        assert.equal(r.location, null, uri);
        assert.equal(textOf(r.text, 'error-code'), 'invalid_request', uri);
        assert.match(r.text, /<p id="error-description"/);
        assert.match(r.text, /<h1>/);
      }
      // Loopback: another host, or https, is not a port change.
      for (const uri of ['http://localhost:8400/callback', 'http://127.0.0.2:8400/callback', 'https://127.0.0.1:8400/callback', 'http://127.0.0.1:8400/callback/x', 'http://127.0.0.1:8400@attacker.example/callback']) {
        const r = await b.get(authorizeUrl({ client_id: 'spa', redirect_uri: uri, code_challenge: CHALLENGE, code_challenge_method: 'S256' }));
        assert.equal(r.status, 400, uri);
        assert.equal(r.location, null, uri);
      }
      for (const o of [{ client_id: 'nobody' }, { client_id: 'off', redirect_uri: 'https://off.example/cb' }, { client_id: '' }] as Record<string, string>[]) {
        const r = await b.get(authorizeUrl(o));
        assert.equal(r.status, 400, JSON.stringify(o));
        assert.equal(r.location, null);
        assert.equal(textOf(r.text, 'error-code'), 'invalid_request');
      }
      // Two registered URIs: redirect_uri may not be omitted; one repeated: not trusted.
      const omitted = await b.get(`/oauth2/authorize?response_type=code&client_id=web&scope=read`);
      assert.equal(omitted.status, 400);
      const twice = await b.get(`${authorizeUrl({})}&redirect_uri=${encodeURIComponent('https://attacker.example/')}`);
      assert.equal(twice.status, 400);
      assert.equal(twice.location, null);
      // One registered URI: it may be omitted (RFC 6749 §3.1.2.3), except for OpenID Connect.
      const first = await b.get('/oauth2/authorize?response_type=code&client_id=first&scope=read');
      assert.equal(first.status, 200);
      const firstOidc = await b.get('/oauth2/authorize?response_type=code&client_id=first&scope=openid');
      assert.equal(firstOidc.status, 400);
    });

    it('security headers on every page', async () => {
      const b = browser();
      for (const page of [await b.get(authorizeUrl({})), await b.get(authorizeUrl({ client_id: 'nobody' }))]) {
        const csp = page.headers.get('content-security-policy')!;
        assert.match(csp, /default-src 'none'/);
        assert.match(csp, /style-src 'self'/);
        assert.match(csp, /frame-ancestors 'none'/);
        assert.match(csp, /img-src [^;]*https: data:/);
        assert.doesNotMatch(csp, /script-src/);
        assert.equal(page.headers.get('x-frame-options'), 'DENY');
        assert.equal(page.headers.get('cache-control'), 'no-store');
        assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
        assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
      }
      const css = await fetch(`${srv.url}/oauth2/assets/style.css`);
      assert.equal(css.status, 200);
      assert.match(css.headers.get('content-type')!, /^text\/css/);
      assert.match(await css.text(), /--primary: #1f5fbf;/);
    });

    it('first-party clients skip consent; deny sends access_denied with state and iss', async () => {
      const b = browser();
      const login = await b.get(`/oauth2/authorize?response_type=code&client_id=first&redirect_uri=${encodeURIComponent('https://first.example/cb')}&scope=openid&state=fp`);
      const done = await submitLogin(b, login, 'carol');
      assert.equal(done.status, 303, done.text.slice(0, 300));
      assert.ok(redirectParams(done, 'https://first.example/cb').get('code'));

      const denied = await decide(b, await b.get(authorizeUrl({ scope: 'read', state: 'dn' })), 'deny');
      const q = redirectParams(denied, CB);
      assert.equal(q.get('error'), 'access_denied');
      assert.equal(q.get('state'), 'dn');
      assert.equal(q.get('iss'), srv.url);
      assert.equal(q.get('code'), null);
    });

    it('prompt=none: login_required without a session, consent_required without consent; prompt=login and max_age=0 ask again', async () => {
      const anon = browser();
      const q = redirectParams(await anon.get(authorizeUrl({ prompt: 'none', state: 'pn', scope: 'openid' })), CB);
      assert.equal(q.get('error'), 'login_required');
      assert.equal(q.get('state'), 'pn');
      assert.equal(q.get('iss'), srv.url);

      const b = await signedIn('dave');
      const cr = redirectParams(await b.get(authorizeUrl({ prompt: 'none', scope: 'openid email' })), CB);
      assert.equal(cr.get('error'), 'consent_required');
      const ok = redirectParams(await b.get(authorizeUrl({ prompt: 'none', scope: 'openid' })), CB);
      assert.ok(ok.get('code'));

      const sid1 = b.cookies.get('tessera_session');
      const relogin = await b.get(authorizeUrl({ prompt: 'login', scope: 'openid' }));
      assert.match(relogin.text, /id="login-form"/);
      const after = await submitLogin(b, relogin, 'dave');
      assert.equal(after.status, 303, 'consent remembered: straight back with a code');
      assert.notEqual(b.cookies.get('tessera_session'), sid1, 'a new session id at every login');
      assert.equal(await srv.tessera.store.sessions.get(hashToken(sid1!), Math.floor(Date.now() / 1000)), null, 'the replaced session ended');

      const maxAge = await b.get(authorizeUrl({ max_age: '0', scope: 'openid' }));
      assert.match(maxAge.text, /id="login-form"/);
      const big = await b.get(authorizeUrl({ max_age: '3600', scope: 'openid' }));
      assert.equal(big.status, 302);
      assert.equal(redirectParams(await b.get(authorizeUrl({ prompt: 'none', max_age: '0', scope: 'openid' })), CB).get('error'), 'login_required');
    });

    it('wrong password: 400 with #login-error, same for unknown users; the lockout answers 429 even to the right password', async () => {
      const b = browser();
      const login = await b.get(authorizeUrl({}));
      const wrong = await submitLogin(b, login, 'locky', 'nope');
      assert.equal(wrong.status, 400);
      const msg = textOf(wrong.text, 'login-error');
      assert.ok(msg);
      assert.match(wrong.text, /<p role="alert" id="login-error"/);
      assert.match(wrong.text, /aria-describedby="login-error"/);
      assert.match(wrong.text, /value="locky"/, 'the username stays filled in');
      const unknown = await submitLogin(b, login, 'no-such-user', 'nope');
      assert.equal(unknown.status, 400);
      assert.equal(textOf(unknown.text, 'login-error'), msg);
      await submitLogin(b, login, 'locky', 'nope');
      await submitLogin(b, login, 'locky', 'nope');
      const locked = await submitLogin(b, login, 'locky', PW);
      assert.equal(locked.status, 429);
      assert.ok(Number(locked.headers.get('retry-after')) >= 1);
      assert.ok(textOf(locked.text, 'login-error'));
      assert.notEqual(textOf(locked.text, 'login-error'), msg);
      assert.equal(locked.setCookies.find((c) => c.includes('tessera_session')), undefined);
    });

    it('CSRF: a form without the token, with a wrong one or another browser\'s is refused with 403; a tampered or foreign seal with 400', async () => {
      const a = browser();
      const other = browser();
      const la = await a.get(authorizeUrl({}));
      const lo = await other.get(authorizeUrl({}));
      const fa = formFields(la.text, 'login-form');
      const fo = formFields(lo.text, 'login-form');
      const tries: [Record<string, string>, number, string][] = [
        [{ request: fa.request! }, 403, 'missing'],
        [{ request: fa.request!, csrf_token: 'x'.repeat(43) }, 403, 'wrong'],
        [{ request: fa.request!, csrf_token: fo.csrf_token! }, 403, "other browser's token"],
        [{ request: fo.request!, csrf_token: fa.csrf_token! }, 400, "other browser's sealed request"],
        [{ request: `${fa.request!.slice(0, -2)}AA`, csrf_token: fa.csrf_token! }, 400, 'tampered'],
        [{ csrf_token: fa.csrf_token! }, 400, 'no request'],
      ];
      for (const [form, status, what] of tries) {
        const r = await a.post('/oauth2/login', { ...form, username: 'erin', password: PW });
        assert.equal(r.status, status, what);
        assert.equal(textOf(r.text, 'error-code'), 'invalid_request', what);
        assert.equal(r.location, null);
        assert.equal(r.setCookies.find((c) => c.includes('tessera_session')), undefined, what);
      }
      // Consent: the form of another session (sign in elsewhere, replay its consent form here).
      const ca = await submitLogin(a, la, 'erin');
      const co = await submitLogin(other, lo, 'alice');
      const foreign = await a.post('/oauth2/consent', { ...formFields(co.text, 'consent-form'), csrf_token: formFields(ca.text, 'consent-form').csrf_token!, decision: 'allow' });
      assert.equal(foreign.status, 400);
      const noToken = await a.post('/oauth2/consent', { request: formFields(ca.text, 'consent-form').request!, decision: 'allow' });
      assert.equal(noToken.status, 403);
      assert.equal(textOf(noToken.text, 'error-code'), 'invalid_request');
    });

    it('HTML is escaped: a client_name with markup shows as text on the consent page', async () => {
      const b = browser();
      const consent = await submitLogin(b, await b.get(authorizeUrl({ client_id: 'evil', redirect_uri: 'https://evil.example/cb', scope: 'read' })), 'bob');
      assert.doesNotMatch(consent.text, /<script>alert/);
      assert.match(consent.text, /&lt;script&gt;alert\(1\)&lt;\/script&gt;&quot;&#39;/);
      assert.equal(textOf(consent.text, 'consent-client'), '<script>alert(1)</script>"\'');
      // Reflected parameters too.
      const hint = await b.get(authorizeUrl({ prompt: 'login', login_hint: '"><script>x</script>' }));
      assert.doesNotMatch(hint.text, /<script>x/);
      assert.match(hint.text, /value="&quot;&gt;&lt;script&gt;x&lt;\/script&gt;"/);
    });

    it('a password change or disabling the user ends browser sessions', async () => {
      const b = await signedIn('erin');
      const { saveUser } = await import('../../src/core/sessions.js');
      const { hashPassword } = await import('../../src/core/password.js');
      const erin = (await srv.tessera.store.users.getByUsername('erin'))!;
      await saveUser(srv.tessera.store, { ...erin, password_hash: await hashPassword('a-new-password-1234') }, erin, Math.floor(Date.now() / 1000) + 1);
      const r = redirectParams(await b.get(authorizeUrl({ prompt: 'none', scope: 'openid' })), CB);
      assert.equal(r.get('error'), 'login_required');
    });
  });
}

// Black-box: RP-Initiated Logout (end_session_endpoint) and the account page, through a
// real server with fetch and a cookie jar.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signJwt } from '../../src/core/jwt.js';
import { hashToken } from '../../src/core/secrets.js';
import { Browser, formFields, textOf } from '../helpers/cookie-jar.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { BACKENDS } from '../helpers/stores.js';
import { authorizeUrl, decide, redirectParams, signinEntities, submitLogin } from '../helpers/signin.js';

const CB = 'https://app.example/cb';
const BYE = 'https://app.example/bye';
const now = () => Math.floor(Date.now() / 1000);

for (const backend of BACKENDS) {
  describe(`logout and account page (${backend})`, () => {
    let srv: TestServer;
    before(async () => { srv = await startTestServer(backend, signinEntities); });
    after(async () => { await srv.close(); });

    async function signIn(username: string): Promise<{ b: Browser; sid: string; userId: string }> {
      const b = new Browser(srv.url);
      const consent = await submitLogin(b, await b.get(authorizeUrl({ scope: 'openid' })), username);
      redirectParams(consent.status === 200 ? await decide(b, consent, 'allow') : consent, CB);
      const s = await srv.tessera.store.sessions.get(hashToken(b.cookies.get('tessera_session')!), now());
      return { b, sid: s!.sid, userId: s!.user_id };
    }

    async function idToken(claims: Record<string, unknown>, alg: 'RS256' | 'ES256' = 'RS256'): Promise<string> {
      const key = await srv.tessera.keys.current(alg);
      return signJwt(key, 'JWT', { iss: srv.url, aud: 'web', iat: now() - 7200, exp: now() - 3600, ...claims });
    }

    const family = async (id: string, userId: string, sid: string | null) =>
      srv.tessera.store.tokens.persistIssue({ family: { id, client_id: 'web', user_id: userId, created_at: now(), sid, auth_time: now(), acr: null } }, now());

    it('a valid (even expired) id_token_hint of the session signs out at once and redirects with state; the session families are revoked, offline ones kept', async () => {
      const { b, sid, userId } = await signIn('alice');
      await family(`bound-${backend}`, userId, sid);
      await family(`offline-${backend}`, userId, null);
      const hint = await idToken({ sub: userId, sid });
      const r = await b.get(`/oauth2/logout?${new URLSearchParams({ id_token_hint: hint, post_logout_redirect_uri: BYE, state: 'bye-1' })}`);
      assert.equal(r.status, 302, r.text.slice(0, 300));
      assert.equal(r.location, `${BYE}?state=bye-1`);
      assert.ok(r.setCookies.some((c) => /^tessera_session=; Path=\/; HttpOnly; SameSite=Lax; Max-Age=0$/.test(c)), r.setCookies.join('|'));
      assert.ok((await srv.tessera.store.sessions.getBySid(sid))?.ended_at, 'session ended');
      assert.ok((await srv.tessera.store.tokens.findFamily(`bound-${backend}`))?.revoked_at, 'session family revoked');
      assert.equal((await srv.tessera.store.tokens.findFamily(`offline-${backend}`))?.revoked_at, null, 'offline_access family kept');
      // Signed out: prompt=none now answers login_required.
      assert.equal(redirectParams(await b.get(authorizeUrl({ prompt: 'none' })), CB).get('error'), 'login_required');
    });

    it('without a hint (or with one of another session, or a forged one) the user confirms; the confirmation is CSRF-checked', async () => {
      const { b, sid, userId } = await signIn('bob');
      const forged = (await idToken({ sub: userId, sid })).slice(0, -4) + 'AAAA';
      const other = await idToken({ sub: userId, sid: 'another-session' });
      const accessToken = await signJwt(await srv.tessera.keys.current('ES256'), 'at+jwt', { iss: srv.url, aud: 'web', sub: userId, sid, exp: now() + 60 });
      const otherIssuer = await idToken({ sub: userId, sid, iss: 'https://elsewhere.example' });
      for (const q of [{}, { id_token_hint: forged }, { id_token_hint: other }, { id_token_hint: accessToken }, { id_token_hint: otherIssuer }, { id_token_hint: 'garbage' }, { client_id: 'web', post_logout_redirect_uri: BYE, state: 'c' }] as Record<string, string>[]) {
        const page = await b.get(`/oauth2/logout?${new URLSearchParams(q)}`);
        assert.equal(page.status, 200, JSON.stringify(q));
        assert.match(page.text, /<form id="logout-form"/);
        assert.match(page.text, /id="logout-confirm"/);
        assert.equal((await srv.tessera.store.sessions.getBySid(sid))?.ended_at, null, 'not signed out yet');
      }
      const page = await b.get(`/oauth2/logout?${new URLSearchParams({ client_id: 'web', post_logout_redirect_uri: BYE, state: 'c' })}`);
      const fields = formFields(page.text, 'logout-form');
      assert.equal(fields.post_logout_redirect_uri, BYE);
      const noCsrf = await b.post('/oauth2/logout', { ...fields, csrf_token: 'wrong', confirm: 'yes' });
      assert.equal(noCsrf.status, 403);
      assert.equal((await srv.tessera.store.sessions.getBySid(sid))?.ended_at, null);
      const done = await b.post('/oauth2/logout', { ...fields, confirm: 'yes' });
      assert.equal(done.status, 303);
      assert.equal(done.location, `${BYE}?state=c`);
      assert.ok((await srv.tessera.store.sessions.getBySid(sid))?.ended_at);
    });

    it('a post_logout_redirect_uri not registered for the client is not followed: the signed-out page', async () => {
      const { b, sid, userId } = await signIn('carol');
      const hint = await idToken({ sub: userId, sid });
      for (const uri of ['https://attacker.example/bye', `${BYE}/x`, CB]) {
        const r = await b.get(`/oauth2/logout?${new URLSearchParams({ id_token_hint: hint, post_logout_redirect_uri: uri })}`);
        assert.equal(r.status, 200, uri);
        assert.equal(r.location, null);
        assert.match(r.text, /id="signed-out"/);
      }
      // client_id that contradicts the hint: an error page.
      const mismatch = await b.get(`/oauth2/logout?${new URLSearchParams({ id_token_hint: hint, client_id: 'spa', post_logout_redirect_uri: BYE })}`);
      assert.equal(mismatch.status, 400);
      assert.equal(textOf(mismatch.text, 'error-code'), 'invalid_request');
      assert.equal(mismatch.location, null);
    });

    it('signing in again: the same user keeps the tokens of the replaced session; another user on this browser ends them', async () => {
      const { b, sid, userId } = await signIn('erin');
      await family(`same-${backend}`, userId, sid);
      redirectParams(await submitLogin(b, await b.get(authorizeUrl({ scope: 'openid', prompt: 'login' })), 'erin'), CB);
      assert.ok((await srv.tessera.store.sessions.getBySid(sid))?.ended_at, 'the replaced session ended');
      assert.equal((await srv.tessera.store.tokens.findFamily(`same-${backend}`))?.revoked_at, null, 'same user: kept');
      const second = await srv.tessera.store.sessions.get(hashToken(b.cookies.get('tessera_session')!), now());
      await family(`other-${backend}`, userId, second!.sid);
      const switched = await submitLogin(b, await b.get(authorizeUrl({ scope: 'openid', prompt: 'login' })), 'bob');
      assert.ok(switched.status === 200 || switched.status === 303);
      assert.ok((await srv.tessera.store.tokens.findFamily(`other-${backend}`))?.revoked_at, 'another user: the first one is signed out');
    });

    it('account page: login first (back to /account), consents listed and revocable (then asked again), sign-out button', async () => {
      const b = new Browser(srv.url);
      const login = await b.get('/account');
      assert.equal(login.status, 200);
      assert.match(login.text, /id="login-form"/);
      const back = await submitLogin(b, login, 'dave');
      assert.equal(back.status, 303);
      assert.equal(back.location, '/account');
      // Allow `web`, then look at the page.
      redirectParams(await decide(b, await b.get(authorizeUrl({ scope: 'openid' })), 'allow'), CB);
      const page = await b.get('/account');
      assert.equal(page.status, 200);
      assert.match(page.text, /<ul id="consents"[^>]*>\s*<li data-client="web">/);
      assert.match(page.text, /class="revoke-consent/);
      assert.match(page.text, /id="sign-out"/);
      const revokeForm = page.text.slice(page.text.indexOf('data-client="web"'));
      const csrf = /name="csrf_token" value="([^"]+)"/.exec(revokeForm)![1]!;
      const bad = await b.post('/account/consents/revoke', { client_id: 'web' });
      assert.equal(bad.status, 403);
      // Grants dave made to web (an offline one too) and one to another client.
      const dave = (await srv.tessera.store.users.getByUsername('dave'))!.id;
      const family = (id: string, client_id: string, sid: string | null) =>
        srv.tessera.store.tokens.persistIssue({ family: { id, client_id, user_id: dave, created_at: now(), sid, auth_time: now(), acr: null } }, now());
      await family(`consent-web-${backend}`, 'web', 's-1');
      await family(`consent-web-offline-${backend}`, 'web', null);
      await family(`consent-other-${backend}`, 'spa', 's-1');
      const revoked = await b.post('/account/consents/revoke', { client_id: 'web', csrf_token: csrf });
      assert.equal(revoked.status, 303);
      assert.equal(revoked.location, '/account');
      // Withdrawing consent revokes the user's grants to that client, offline ones too; not to others.
      assert.ok((await srv.tessera.store.tokens.findFamily(`consent-web-${backend}`))?.revoked_at);
      assert.ok((await srv.tessera.store.tokens.findFamily(`consent-web-offline-${backend}`))?.revoked_at);
      assert.equal((await srv.tessera.store.tokens.findFamily(`consent-other-${backend}`))?.revoked_at, null);
      assert.doesNotMatch((await b.get('/account')).text, /data-client="web"/);
      // The consent page comes back.
      assert.match((await b.get(authorizeUrl({ scope: 'openid' }))).text, /id="consent-form"/);
      // Sign out from the account page.
      const signOut = await b.post('/oauth2/logout', { csrf_token: csrf, confirm: 'yes' });
      assert.equal(signOut.status, 200);
      assert.match(signOut.text, /id="signed-out"/);
      assert.match((await b.get('/account')).text, /id="login-form"/);
    });
  });
}

// The hosted pages under attack, in Chromium: a wrong password shows an error on the page (the
// same for an unknown user); the lockout holds against the right password; a form POST
// without its CSRF token is refused with 403; open-redirect attempts get an error page and
// the browser never leaves Tessera; prompt=none without a session answers login_required at
// the redirect URI (OIDC Core §3.1.2.6) with state and iss (RFC 9207).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { guardOrigins, useBrowser } from '../helpers/browser.js';
import { BACKENDS } from '../helpers/stores.js';
import { assertErrorPage, assertLoginPage, navigation, PERSON, screenshot, signIn, startWorld, type World } from './setup.js';

const browser = useBrowser();
const LOCKED = { username: 'grace', password: 'the right password for grace' };

for (const backend of BACKENDS) {
  describe(`hosted pages under attack, in Chromium (${backend})`, () => {
    let w: World;
    const shots = backend === BACKENDS[0];
    before(async () => { w = await startWorld(backend, [{ ...LOCKED, roles: [] }]); });
    after(async () => { await w?.close(); });

    it('a wrong password and an unknown user show the same error on the login page (status 400)', async () => {
      const page = await (await browser.context()).newPage();
      await page.goto(`${w.web.url}/login`);
      await assertLoginPage(page, w.srv);
      const wrong = await signIn(page, PERSON.username, 'not the password');
      assert.equal(wrong.status(), 400);
      await assertLoginPage(page, w.srv);
      const text = (await page.locator('#login-error').textContent())?.trim();
      assert.ok(text, 'an error message');
      assert.equal(await page.locator('#login-error').getAttribute('role'), 'alert');
      assert.equal(await page.locator('#password').inputValue(), '', 'the password is not echoed back');
      const unknown = await signIn(page, 'nobody-by-this-name', 'not the password');
      assert.equal(unknown.status(), 400);
      assert.equal((await page.locator('#login-error').textContent())?.trim(), text, 'no hint whether the user exists');
      // The form still works afterwards: the right password signs in.
      const ok = await signIn(page, PERSON.username, PERSON.password);
      assert.ok([200, 302, 303].includes(ok.status()), `${ok.status()}`);
      await page.locator('#consent-form').waitFor();
    });

    it('the lockout holds: after 3 wrong passwords the right one gets the 429 page with Retry-After', async () => {
      const page = await (await browser.context()).newPage();
      await page.goto(`${w.web.url}/login`);
      for (let i = 0; i < 3; i++) assert.equal((await signIn(page, LOCKED.username, `guess ${i}`)).status(), 400, `guess ${i}`);
      const locked = await signIn(page, LOCKED.username, LOCKED.password);
      assert.equal(locked.status(), 429);
      const retry = Number(await locked.headerValue('retry-after'));
      assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 30, `Retry-After ${await locked.headerValue('retry-after')}`);
      assert.ok(((await page.locator('#login-error').textContent()) ?? '').trim().length > 0);
      assert.equal(new URL(page.url()).origin, w.srv.url);
      assert.equal(await page.locator('#consent-form').count(), 0);
      // No session came of it: signing in again starts at the login page.
      await page.goto(`${w.web.url}/login`);
      await assertLoginPage(page, w.srv);
    });

    it('a login POST without its CSRF token is refused with the 403 page, by form and by request', async () => {
      const ctx = await browser.context();
      const page = await ctx.newPage();
      await page.goto(`${w.web.url}/login`);
      await assertLoginPage(page, w.srv);
      await page.locator('#username').fill(PERSON.username);
      await page.locator('#password').fill(PERSON.password);
      const res = await navigation(page, /^\/oauth2\/login$/, () => page.evaluate(() => {
        const form = document.getElementById('login-form') as HTMLFormElement;
        form.querySelector('input[name="csrf_token"]')!.remove();
        form.submit();
      }));
      await assertErrorPage(page, res, 403, 'invalid_request');
      assert.equal(await page.locator('#consent-form').count(), 0);

      // A forged token and no token at all, sent with the browser's own cookies.
      await page.goto(`${w.web.url}/login`);
      const forms: Record<string, string>[] = [{ username: PERSON.username, password: PERSON.password }, { username: PERSON.username, password: PERSON.password, csrf_token: 'forged' }];
      for (const form of forms) {
        const r = await page.request.post(`${w.srv.url}/oauth2/login`, { form, maxRedirects: 0 });
        assert.equal(r.status(), 403, JSON.stringify(Object.keys(form)));
        assert.match(await r.text(), /id="error-code"[^>]*>\s*invalid_request\s*</);
      }
      await ctx.close();
    });

    it('open-redirect attempts get the error page; the browser never leaves Tessera', async () => {
      const ctx = await browser.context();
      const { foreign } = await guardOrigins(ctx, [w.srv.url]);
      const page = await ctx.newPage();
      const registered = new URL(w.web.callback);
      const base = { response_type: 'code', scope: 'openid', state: 'st', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' };
      const attempts: Record<string, Record<string, string>> = {
        'an unregistered redirect_uri': { client_id: 'web-app', redirect_uri: `${registered.origin}/elsewhere` },
        'an evil host': { client_id: 'web-app', redirect_uri: 'https://evil.example/callback' },
        'the registered URI as userinfo before an evil host': { client_id: 'web-app', redirect_uri: `http://${registered.host}@evil.example/callback` },
        'a lookalike of a loopback host': { client_id: 'native-app', redirect_uri: 'http://127.0.0.1.evil.example/callback' },
        'the loopback port rule on an https host': { client_id: 'native-app', redirect_uri: 'https://127.0.0.1:8443/callback/../../evil' },
        'an unknown client': { client_id: 'no-such-client', redirect_uri: 'https://evil.example/callback' },
      };
      let first = true;
      for (const [what, params] of Object.entries(attempts)) {
        const res = await page.goto(`${w.srv.url}/oauth2/authorize?${new URLSearchParams({ ...base, ...params })}`);
        assert.ok(res, what);
        await assertErrorPage(page, res, 400, ['invalid_request', 'invalid_client', 'unauthorized_client'], what);
        assert.equal(new URL(page.url()).origin, w.srv.url, `${what}: ${page.url()}`);
        assert.equal(res.headers()['location'], undefined, `${what}: no redirect`);
        if (first && shots) await screenshot(page, 'error');
        first = false;
      }
      assert.deepEqual(foreign, [], 'no request left the Tessera origin');
      await ctx.close();
    });

    it('prompt=none without a session: login_required at the redirect URI, with state and iss', async () => {
      const page = await (await browser.context()).newPage();
      await navigation(page, /^\/callback$/, () => page.goto(`${w.web.url}/login?prompt=none`));
      const r = w.web.last();
      assert.equal(r.query.error, 'login_required');
      assert.equal(r.query.code, undefined);
      assert.equal(typeof r.query.state, 'string');
      assert.ok(r.query.state!.length > 10);
      assert.equal(r.query.iss, w.srv.url);
      assert.equal(r.error?.error, 'login_required', 'openid-client accepted the error response (state and iss checked)');
    });

    it('logout without an id_token_hint asks first (CSRF-checked form), then signs out', async () => {
      const page = await (await browser.context()).newPage();
      await page.goto(`${w.web.url}/login`);
      await signIn(page, PERSON.username, PERSON.password);
      await page.locator('#consent-form').waitFor();
      const res = await page.goto(`${w.srv.url}/oauth2/logout`);
      assert.equal(res?.status(), 200);
      await page.locator('#logout-form').waitFor();
      assert.equal(await page.locator('#logout-form input[name="csrf_token"]').count(), 1);
      if (shots) await screenshot(page, 'logout');
      await page.locator('#logout-confirm').click();
      await page.waitForLoadState('domcontentloaded');
      assert.equal(await page.locator('#logout-form').count(), 0);
      // Signed out: the next sign-in asks for the password.
      await page.goto(`${w.web.url}/login`);
      await assertLoginPage(page, w.srv);
    });
  });
}

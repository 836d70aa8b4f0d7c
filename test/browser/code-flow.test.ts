// The authorization code flow in Chromium, as a person clicks through it, with openid-client
// as the relying party: login page → username/password → consent → callback → code exchange
// (PKCE, state, iss, id_token with nonce: openid-client checks them) → userinfo → refresh →
// RP-initiated logout; then the session is gone (the next sign-in shows the login page) and
// the refresh token no longer works. A confidential web app (client_secret_basic) and a public
// native app (none, PKCE S256, a loopback redirect on another port than registered, RFC 8252
// §7.3). Screenshots of the pages go to docs/screenshots/ (SQLite run only).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { guardOrigins, useBrowser, type Page } from '../helpers/browser.js';
import type { RelyingParty } from '../helpers/relying-party.js';
import { BACKENDS } from '../helpers/stores.js';
import { assertLoginPage, navigation, PERSON, screenshot, signIn, startWorld, type World } from './setup.js';

const browser = useBrowser();

for (const backend of BACKENDS) {
  describe(`code flow in Chromium (${backend})`, () => {
    let w: World;
    const shots = backend === BACKENDS[0];
    before(async () => { w = await startWorld(backend); });
    after(async () => { await w?.close(); });

    /** From the RP's "sign in" to its callback page; returns the callback result. */
    async function firstSignIn(page: Page, rp: RelyingParty, clientName: string, screenshots: boolean) {
      await page.goto(`${rp.url}/login`);
      await assertLoginPage(page, w.srv);
      if (screenshots) await screenshot(page, 'login');
      const login = await signIn(page, PERSON.username, PERSON.password);
      // The consent page, rendered in answer to the POST or after a redirect.
      assert.ok([200, 302, 303].includes(login.status()), `login POST answered ${login.status()}`);

      await page.locator('#consent-form').waitFor();
      assert.equal(new URL(page.url()).origin, w.srv.url);
      assert.match((await page.locator('#consent-client').textContent()) ?? '', new RegExp(clientName));
      for (const s of ['openid', 'profile', 'email']) assert.equal(await page.locator(`#consent-scopes li[data-scope="${s}"]`).count(), 1, s);
      if (screenshots) await screenshot(page, 'consent');
      await navigation(page, /^\/callback$/, () => page.locator('#consent-allow').click());
      await page.locator('#result, #rp-error').waitFor();
      const r = rp.last();
      assert.equal(r.error, undefined, JSON.stringify(r.error));
      assert.equal(r.query.iss, w.srv.url, 'RFC 9207: iss in the authorization response');
      return r;
    }

    async function fullFlow(rp: RelyingParty, clientId: string, clientName: string, screenshots: boolean): Promise<void> {
      const ctx = await browser.context();
      const { foreign } = await guardOrigins(ctx, [w.srv.url, rp.url]);
      const page = await ctx.newPage();
      const user = await w.srv.tessera.store.users.getByUsername(PERSON.username);

      const r = await firstSignIn(page, rp, clientName, screenshots);
      const claims = r.claims!;
      // OIDC Core §2 / §3.1.3.6 (signature, iss, aud, exp, nonce checked by openid-client).
      assert.equal(claims.iss, w.srv.url);
      assert.equal(claims.sub, user!.id);
      assert.equal(claims.aud, clientId);
      assert.equal(typeof claims.auth_time, 'number');
      assert.ok(Math.abs(claims.auth_time! - Date.now() / 1000) < 60, `auth_time ${claims.auth_time}`);
      assert.equal(typeof claims.sid, 'string');
      assert.equal(typeof claims.at_hash, 'string');
      assert.equal(typeof claims.nonce, 'string');
      // OIDC Core §5.4: profile and email claims from the user's attributes.
      assert.deepEqual(
        { sub: r.userinfo!.sub, name: r.userinfo!.name, given_name: r.userinfo!.given_name, family_name: r.userinfo!.family_name, email: r.userinfo!.email, email_verified: r.userinfo!.email_verified, preferred_username: r.userinfo!.preferred_username },
        { sub: user!.id, name: PERSON.name, given_name: PERSON.given_name, family_name: PERSON.family_name, email: PERSON.email, email_verified: true, preferred_username: PERSON.username },
      );
      assert.ok(r.tokens!.refresh_token, 'a refresh token (the client has the refresh_token grant)');

      // Refresh (RFC 6749 §6), with a new id_token of the same sign-in (OIDC Core §12.2).
      const refreshed = await oidc.refreshTokenGrant(rp.config, r.tokens!.refresh_token!);
      assert.ok(refreshed.access_token && refreshed.refresh_token && refreshed.refresh_token !== r.tokens!.refresh_token);
      const again = refreshed.claims();
      assert.ok(again, 'an id_token on refresh with openid in scope');
      assert.equal(again.sub, claims.sub);
      assert.equal(again.sid, claims.sid);
      assert.equal(again.auth_time, claims.auth_time);
      assert.equal(again.nonce, undefined);

      // Signed in already and consent remembered: the next sign-in goes straight to the callback.
      await navigation(page, /^\/callback$/, () => page.goto(`${rp.url}/login`));
      await page.locator('#result, #rp-error').waitFor();
      assert.equal(rp.last().error, undefined, JSON.stringify(rp.last().error));
      assert.equal(rp.last().claims!.sid, claims.sid, 'the same browser session');
      assert.equal(rp.last().claims!.auth_time, claims.auth_time, 'no new authentication');

      // The account page lists the consent.
      await page.goto(`${w.srv.url}/account`);
      await page.locator(`#consents li[data-client="${clientId}"]`).waitFor();
      assert.equal(await page.locator(`#consents li[data-client="${clientId}"] .revoke-consent`).count(), 1);
      assert.equal(await page.locator('#sign-out').count(), 1);
      if (screenshots) await screenshot(page, 'account');

      // RP-initiated logout with id_token_hint: Tessera signs out and returns to the RP with state.
      const back = await navigation(page, /^\/$/, () => page.goto(`${rp.url}/logout`));
      assert.equal(back.status(), 200);
      assert.equal(page.url(), `${rp.url}/?state=bye`);

      // The session is gone: signing in again shows the login page.
      await page.goto(`${rp.url}/login`);
      await assertLoginPage(page, w.srv);
      // And the refresh tokens of the session's families are revoked.
      for (const rt of [refreshed.refresh_token!, rp.last().tokens!.refresh_token!]) {
        await assert.rejects(oidc.refreshTokenGrant(rp.config, rt), (e: { error?: string }) => e.error === 'invalid_grant');
      }
      assert.deepEqual(foreign, [], 'the browser only ever talked to Tessera and the RP');
      await ctx.close();
    }

    it('a confidential web app (client_secret_basic): login, consent, code, id_token, userinfo, refresh, logout', async () => {
      await fullFlow(w.web, 'web-app', 'Web App', shots);
    });

    it('a public native app (none + PKCE S256, loopback redirect on an unregistered port): the same flow', async () => {
      assert.notEqual(new URL(w.native.callback).port, '', 'the native app listens on a port');
      await fullFlow(w.native, 'native-app', 'Native App', false);
    });

    it('denying consent sends access_denied to the client (RFC 6749 §4.1.2.1) and issues no code', async () => {
      const ctx = await browser.context();
      const page = await ctx.newPage();
      // prompt=consent: asked again although an earlier test allowed this client.
      await page.goto(`${w.web.url}/login?prompt=consent`);
      await signIn(page, PERSON.username, PERSON.password);
      await page.locator('#consent-form').waitFor();
      await navigation(page, /^\/callback$/, () => page.locator('#consent-deny').click());
      const r = w.web.last();
      assert.equal(r.query.error, 'access_denied');
      assert.equal(r.query.code, undefined);
      assert.equal(r.query.iss, w.srv.url);
      assert.equal(r.error?.error, 'access_denied');
      await ctx.close();
    });

    it('the login page fits a phone screen', async () => {
      const ctx = await browser.context();
      const page = await ctx.newPage();
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(`${w.web.url}/login`);
      await assertLoginPage(page, w.srv);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
      if (shots) await screenshot(page, 'login-phone');
      await ctx.close();
    });
  });
}

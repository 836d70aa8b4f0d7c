// What the browser tests share: a Tessera with a confidential web app and a public native
// app (each with its own relying party on 127.0.0.1), one person, small lockout limits, and
// the steps a person takes on the hosted pages (the UI contract's element ids).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page, Response } from 'playwright-core';
import { SCREENSHOTS } from '../helpers/browser.js';
import { startRelyingParty, type RelyingParty } from '../helpers/relying-party.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import type { Backend } from '../helpers/stores.js';

export const WEB_SECRET = 'web-app-secret-0123456789abcdefghijklmnop';
export const PERSON = {
  username: 'ada', password: 'correct horse battery staple',
  name: 'Ada Lovelace', given_name: 'Ada', family_name: 'Lovelace', email: 'ada@example.test', email_verified: true, locale: 'en',
};
/** Locks after 3 wrong passwords of one username for 30 s; the IP rule stays out of the way. */
export const LOCKOUT = { user: { threshold: 3 }, ip: { threshold: 10_000 }, base_delay: 30, max_delay: 60 };

export interface World {
  srv: TestServer;
  /** The confidential web app (client_secret_basic), redirect registered with its exact port. */
  web: RelyingParty;
  /** The public native app (none + PKCE): registered as http://127.0.0.1/callback, listening on another port (RFC 8252 §7.3). */
  native: RelyingParty;
  close(): Promise<void>;
}

export async function startWorld(backend: Backend, users: Record<string, unknown>[] = []): Promise<World> {
  const web = await startRelyingParty();
  const native = await startRelyingParty();
  const srv = await startTestServer(backend, {
    lockout: LOCKOUT,
    clients: [
      {
        client_id: 'web-app', client_secret: WEB_SECRET, client_name: 'Web App', token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['authorization_code', 'refresh_token'], scope: 'openid profile email',
        redirect_uris: [web.callback], post_logout_redirect_uris: [`${web.url}/`],
      },
      {
        client_id: 'native-app', client_name: 'Native App', token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'], scope: 'openid profile email',
        redirect_uris: ['http://127.0.0.1/callback'], post_logout_redirect_uris: [`${native.url}/`],
      },
    ],
    users: [{ ...PERSON, roles: [] }, ...users],
  });
  await web.connect(srv.url, 'web-app', WEB_SECRET);
  await native.connect(srv.url, 'native-app', null);
  return {
    srv, web, native,
    close: async () => { await Promise.all([web.close(), native.close()]); await srv.close(); },
  };
}

/** Saves docs/screenshots/NAME.png (full page). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Runs `act` and returns the response of the navigation it causes to a URL matching `path`. */
export async function navigation(page: Page, path: RegExp, act: () => Promise<unknown>): Promise<Response> {
  const [res] = await Promise.all([
    page.waitForResponse((r) => path.test(new URL(r.url()).pathname) && r.request().isNavigationRequest()),
    act(),
  ]);
  await page.waitForLoadState('domcontentloaded');
  return res;
}

/** On the login page: the form of the UI contract, with labels. */
export async function assertLoginPage(page: Page, srv: TestServer): Promise<void> {
  assert.equal(new URL(page.url()).origin, srv.url, page.url());
  await page.locator('#login-form').waitFor();
  assert.equal(await page.locator('#login-form').getAttribute('method'), 'post');
  assert.equal(await page.locator('#login-form').getAttribute('action'), '/oauth2/login');
  assert.equal(await page.locator('label[for="username"]').count(), 1);
  assert.equal(await page.locator('label[for="password"]').count(), 1);
  assert.equal(await page.locator('#password').getAttribute('type'), 'password');
  assert.equal(await page.locator('#username').getAttribute('autocomplete'), 'username');
  assert.equal(await page.locator('#password').getAttribute('autocomplete'), 'current-password');
  assert.equal(await page.locator('#login-form input[type="hidden"][name="csrf_token"]').count(), 1);
}

/** Types the credentials and submits with the keyboard (Enter), as a person would; returns the login POST's response. */
export async function signIn(page: Page, username: string, password: string): Promise<Response> {
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(password);
  return navigation(page, /^\/oauth2\/login$/, () => page.locator('#password').press('Enter'));
}

/** The error page of the contract: status, code, never a redirect. */
export async function assertErrorPage(page: Page, res: Response, status: number, code: string | string[], what = ''): Promise<void> {
  assert.equal(res.status(), status, `${what} ${res.url()}: ${res.status()}`);
  const shown = (await page.locator('#error-code').textContent())?.trim() ?? '';
  assert.ok((Array.isArray(code) ? code : [code]).includes(shown), `${what}: error code ${shown}`);
  assert.ok(((await page.locator('#error-description').textContent()) ?? '').trim().length > 0, 'the error page explains the error');
  assert.equal(await page.locator('h1').count(), 1);
}

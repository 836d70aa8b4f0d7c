// The web admin console in Debian's Chromium (Playwright): an administrator signs in with
// the keyboard; registers a client and uses its shown-once secret at the token endpoint;
// disables a user and sees the user's token introspect inactive; rotates a key and sees the
// new kid in the JWKS; a non-administrator is refused. Screenshots go to docs/screenshots/.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launchBrowser, SCREENSHOTS, type Browser, type Page } from '../helpers/browser.js';
import { ADMIN_PW, consoleConfig } from '../helpers/console.js';
import { basic, postForm, startTestServer, type TestServer } from '../helpers/server.js';

const GATEWAY = basic('gateway', consoleConfig.clients[0]!.client_secret);
const PW = consoleConfig.clients[1]!;

describe('web admin console in Chromium', () => {
  let srv: TestServer;
  let browser: Browser;
  before(async () => {
    srv = await startTestServer('sqlite', consoleConfig);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await srv?.close();
  });

  const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `console-${name}.png`), fullPage: true });

  /** Opens the console, signs in on the public listener's page (typed, submitted with Enter). */
  async function signIn(username: string, viewport = { width: 1100, height: 760 }, screenshot?: string): Promise<Page> {
    const ctx = await browser.newContext({ viewport });
    ctx.setDefaultTimeout(15_000);
    const page = await ctx.newPage();
    await page.goto(`${srv.adminUrl}/admin/`);
    assert.ok(page.url().startsWith(`${srv.url}/oauth2/authorize?`), page.url());
    await page.locator('#username').fill(username);
    await page.locator('#password').fill(ADMIN_PW);
    if (screenshot) await shot(page, screenshot);
    await page.locator('#password').press('Enter');
    await page.waitForURL((u) => u.href.startsWith(`${srv.adminUrl}/admin/`) && !u.pathname.startsWith('/admin/callback'), { timeout: 15_000 }).catch(() => {});
    return page;
  }

  it('signs an administrator in (and is readable at phone width)', async () => {
    const page = await signIn('root', undefined, 'signin');
    await page.waitForURL(`${srv.adminUrl}/admin/`);
    await assert.doesNotReject(page.getByRole('heading', { name: 'Dashboard' }).waitFor());
    assert.equal(await page.getByText('root', { exact: true }).count(), 1);
    await shot(page, 'dashboard');

    const phone = await signIn('root', { width: 390, height: 844 });
    await phone.waitForURL(`${srv.adminUrl}/admin/`);
    await phone.goto(`${srv.adminUrl}/admin/console/clients`);
    // Nothing wider than the screen but the tables' own scroll boxes.
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone`);
    await shot(phone, 'phone');
    await phone.context().close();
    await page.context().close();
  });

  it('registers a client; its shown-once secret gets a token at the token endpoint', async () => {
    const page = await signIn('root');
    await page.getByRole('link', { name: 'Clients' }).click();
    await page.getByRole('link', { name: 'Register a client' }).click();
    await page.getByLabel('client_id').fill('browser-made');
    await page.getByLabel('Name').fill('Made in Chromium');
    await page.getByLabel('Scope').fill('read');
    await page.getByRole('button', { name: 'Register' }).click();
    const secret = (await page.locator('#client-secret').textContent())!;
    assert.match(secret, /^[\w-]{32,}$/);
    await shot(page, 'client-secret');
    const tok = await postForm(`${srv.url}/oauth2/token`, { grant_type: 'client_credentials', scope: 'read' }, { authorization: basic('browser-made', secret) });
    assert.equal(tok.status, 200, tok.text);
    assert.equal(tok.json.token_type, 'Bearer');
    await page.context().close();
  });

  it('disables a user: the user\'s token introspects inactive', async () => {
    const grant = await postForm(`${srv.url}/oauth2/token`, { grant_type: 'password', username: 'joe', password: ADMIN_PW, scope: 'read' }, { authorization: basic(PW.client_id, PW.client_secret) });
    assert.equal(grant.status, 200, grant.text);
    const active = async () => (await postForm(`${srv.url}/oauth2/introspect`, { token: grant.json.access_token }, { authorization: GATEWAY })).json.active;
    assert.equal(await active(), true);
    const page = await signIn('root');
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('searchbox').fill('joe');
    await page.getByRole('searchbox').press('Enter');
    await page.getByRole('link', { name: 'joe' }).click();
    await shot(page, 'user');
    await page.getByRole('button', { name: 'Disable' }).click();
    await assert.doesNotReject(page.getByText('Disabled.').waitFor());
    assert.equal(await active(), false);
    await page.context().close();
  });

  it('rotates a key: the new kid is in the JWKS', async () => {
    const kids = async () => ((await (await fetch(`${srv.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    const before = await kids();
    const page = await signIn('root');
    await page.getByRole('link', { name: 'Keys' }).click();
    await page.getByLabel('Algorithm').selectOption('RS256');
    await page.getByRole('button', { name: 'Rotate' }).click();
    await assert.doesNotReject(page.getByText('A new key was added.').waitFor());
    const added = (await kids()).filter((k) => !before.includes(k));
    assert.equal(added.length, 1);
    assert.equal(await page.getByText(added[0]!, { exact: true }).count(), 1);
    await shot(page, 'keys');
    await page.context().close();
  });

  it('refuses a user who is not an administrator', async () => {
    await srv.tessera.store.users.upsert({ ...(await srv.tessera.store.users.getByUsername('joe'))!, disabled: false });
    const page = await signIn('joe');
    await assert.doesNotReject(page.getByRole('heading', { name: 'Not an administrator' }).waitFor());
    await shot(page, 'not-admin');
    // Still signed in on the public listener: asking again ends at the same refusal.
    await page.goto(`${srv.adminUrl}/admin/console/clients`);
    await assert.doesNotReject(page.getByRole('heading', { name: 'Not an administrator' }).waitFor());
    await page.context().close();
  });
});

// Signing in to the web admin console (src/admin/console) as a browser would, without one:
// /admin/login → the public listener's login page → /admin/callback, with the cookie jar of
// cookie-jar.ts. Shared by the console's HTTP tests.
import assert from 'node:assert/strict';
import { Browser, formFields, type Page } from './cookie-jar.js';
import type { TestServer } from './server.js';

export const ADMIN_PW = 'console admin password 0123456789';

export const consoleConfig = {
  clients: [
    { client_id: 'gateway', client_secret: 'gateway-secret-0123456789abcdefghijklmn', grant_types: ['client_credentials'], introspect: 'all' },
    { client_id: 'pw', client_secret: 'pw-secret-0123456789abcdefghijklmnopqrst', grant_types: ['password', 'refresh_token'], scope: 'read' },
  ],
  users: [
    { username: 'root', password: ADMIN_PW, roles: ['tessera:admin'] },
    { username: 'root2', password: ADMIN_PW, roles: ['tessera:admin'] },
    { username: 'joe', password: ADMIN_PW },
  ],
};

/** The first page the callback answers with, and the browser (its cookies) after it. */
export async function consoleSignIn(srv: TestServer, username: string, password = ADMIN_PW): Promise<{ b: Browser; page: Page }> {
  const b = new Browser(srv.adminUrl!);
  const start = await b.get('/admin/login');
  assert.equal(start.status, 303, start.text);
  assert.ok(start.location!.startsWith(`${srv.url}/oauth2/authorize?`), start.location!);
  const login = await b.get(start.location!);
  assert.equal(login.status, 200, login.text.slice(0, 500));
  let p = await b.post(`${srv.url}/oauth2/login`, { ...formFields(login.text, 'login-form'), username, password });
  for (let i = 0; i < 5 && p.location && !p.location.startsWith(`${srv.adminUrl}/admin/callback`); i++) {
    p = await b.get(new URL(p.location, srv.url).toString());
  }
  assert.ok(p.location?.startsWith(`${srv.adminUrl}/admin/callback?`), `redirected to ${p.location} (${p.status}: ${p.text.slice(0, 300)})`);
  return { b, page: await b.get(p.location!) };
}

/** The csrf_token of the console page's forms. */
export function csrfOf(page: Page): string {
  const m = /name="csrf_token" value="([^"]+)"/.exec(page.text);
  assert.ok(m, `no csrf_token on the page:\n${page.text.slice(0, 1000)}`);
  return m[1]!;
}

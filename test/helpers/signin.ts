// Shared by the sign-in tests: the clients and users of a test server, and the steps of
// a browser run (the login form, the consent form, the redirect back).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { formFields, type Browser, type Page } from './cookie-jar.js';

export const SECRET = 'authorize-secret-0123456789abcdefghijklmnop';
export const PW = 'correct horse battery staple';
export const CB = 'https://app.example/cb';
export const VERIFIER = 'dBjftJeZ4CVP-mJ92Q9d-ha9WY8Vx6dJ0Yp1bX8HqXcUvL0';
export const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');

export const signinEntities = {
  clients: [
    { client_id: 'web', client_name: 'Web App', client_secret: SECRET, grant_types: ['authorization_code', 'refresh_token'], scope: 'openid profile email offline_access read',
      redirect_uris: [CB, 'https://app.example/cb2'], post_logout_redirect_uris: ['https://app.example/bye'], policy_uri: 'https://app.example/privacy' },
    { client_id: 'spa', token_endpoint_auth_method: 'none', grant_types: ['authorization_code'], scope: 'openid read', redirect_uris: ['http://127.0.0.1:8400/callback', 'http://[::1]/cb'] },
    { client_id: 'plain', token_endpoint_auth_method: 'none', grant_types: ['authorization_code'], scope: 'read', redirect_uris: ['com.example.app:/cb'], allow_plain_pkce: true },
    { client_id: 'first', client_secret: SECRET, grant_types: ['authorization_code'], scope: 'openid read', redirect_uris: ['https://first.example/cb'], first_party: true },
    { client_id: 'evil', client_name: '<script>alert(1)</script>"\'', client_secret: SECRET, grant_types: ['authorization_code'], scope: 'read', redirect_uris: ['https://evil.example/cb'] },
    { client_id: 'cc', client_secret: SECRET, grant_types: ['client_credentials'], scope: 'read', redirect_uris: ['https://cc.example/cb'] },
    { client_id: 'off', client_secret: SECRET, grant_types: ['authorization_code'], scope: 'read', redirect_uris: ['https://off.example/cb'], disabled: true },
  ],
  users: ['alice', 'bob', 'carol', 'dave', 'erin', 'locky'].map((username) => ({ username, password: PW })),
  lockout: { user: { threshold: 3 }, ip: { threshold: 10_000 }, base_delay: 30, max_delay: 60 },
};

export function authorizeUrl(params: Record<string, string>): string {
  return `/oauth2/authorize?${new URLSearchParams({ response_type: 'code', client_id: 'web', redirect_uri: CB, ...params }).toString()}`;
}

/** Submits the login form of `page` (status 200 login page). */
export function submitLogin(b: Browser, page: Page, username: string, password = PW): Promise<Page> {
  assert.equal(page.status, 200, page.text.slice(0, 500));
  return b.post('/oauth2/login', { ...formFields(page.text, 'login-form'), username, password });
}

export function decide(b: Browser, page: Page, decision: 'allow' | 'deny'): Promise<Page> {
  assert.equal(page.status, 200, page.text.slice(0, 500));
  assert.match(page.text, /id="consent-form"/);
  return b.post('/oauth2/consent', { ...formFields(page.text, 'consent-form'), decision });
}

/** The query parameters of a redirect to `prefix`. */
export function redirectParams(page: Page, prefix: string): URLSearchParams {
  assert.ok(page.status === 302 || page.status === 303, `expected a redirect, got ${page.status}: ${page.text.slice(0, 400)}`);
  assert.ok(page.location?.startsWith(`${prefix}?`), `location ${page.location}`);
  return new URL(page.location!).searchParams;
}


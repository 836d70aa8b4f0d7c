// Under https the sign-in cookies are Secure and carry the __Host- prefix (RFC 6265bis
// §4.1.3.2), so no other host of the domain can set or read them.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { selfSignedCertificate } from '../../src/cli/tls.js';
import { formFields } from '../helpers/cookie-jar.js';
import { startTestServer } from '../helpers/server.js';
import { authorizeUrl, PW, signinEntities } from '../helpers/signin.js';

interface Res { status: number; cookies: string[]; body: string; location: string | undefined }

function call(url: string, ca: Buffer, o: { method?: string; cookie?: string; form?: Record<string, string> } = {}): Promise<Res> {
  const body = o.form ? new URLSearchParams(o.form).toString() : undefined;
  return new Promise((resolve, reject) => {
    const req = request(url, {
      ca, agent: false, method: o.method ?? 'GET',
      headers: { ...(o.cookie ? { cookie: o.cookie } : {}), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => { text += String(c); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, cookies: res.headers['set-cookie'] ?? [], body: text, location: res.headers.location }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('sign-in cookies over https', () => {
  it('__Host- prefix, Secure, HttpOnly, SameSite=Lax, Path=/', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-tls-'));
    const { cert, key } = await selfSignedCertificate('127.0.0.1');
    writeFileSync(join(dir, 'cert.pem'), cert);
    writeFileSync(join(dir, 'key.pem'), key);
    const srv = await startTestServer('sqlite', { ...signinEntities, tls_cert: join(dir, 'cert.pem'), tls_key: join(dir, 'key.pem') });
    try {
      const login = await call(`${srv.url}${authorizeUrl({ scope: 'openid' })}`, cert);
      assert.equal(login.status, 200);
      const csrf = login.cookies.find((c) => c.startsWith('__Host-tessera_csrf='));
      assert.ok(csrf, login.cookies.join('|'));
      assert.match(csrf!, /^__Host-tessera_csrf=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Secure$/);
      const cookie = csrf!.split(';')[0]!;
      const consent = await call(`${srv.url}/oauth2/login`, cert, { method: 'POST', cookie, form: { ...formFields(login.body, 'login-form'), username: 'alice', password: PW } });
      assert.equal(consent.status, 200, consent.body.slice(0, 300));
      const session = consent.cookies.find((c) => c.startsWith('__Host-tessera_session='));
      assert.match(session ?? '', /^__Host-tessera_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Secure; Max-Age=28800$/);
      // The unprefixed name means nothing under https (it could have been set by a sibling host).
      const plain = await call(`${srv.url}/oauth2/login`, cert, { method: 'POST', cookie: cookie.replace('__Host-', ''), form: { ...formFields(login.body, 'login-form'), username: 'alice', password: PW } });
      assert.equal(plain.status, 403);
    } finally {
      await srv.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

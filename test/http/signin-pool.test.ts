// The login form waits in the same bounded password pool as the password grant: with the
// pool full it answers the login page again, 503 with Retry-After, at once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { passwordPool } from '../../src/core/password.js';
import { Browser, textOf } from '../helpers/cookie-jar.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { authorizeUrl, signinEntities, submitLogin } from '../helpers/signin.js';
import { BACKENDS } from '../helpers/stores.js';

for (const backend of BACKENDS) {
  describe(`login and the password pool (${backend})`, () => {
    let srv: TestServer;
    before(async () => { srv = await startTestServer(backend, { ...signinEntities, password_hashing: { concurrency: 1, queue: 0 } }); });
    after(async () => { await srv.close(); });

    it('pool full: 503 login page with Retry-After and #login-error; free again: signs in', async () => {
      const b = new Browser(srv.url);
      const login = await b.get(authorizeUrl({}));
      let release!: () => void;
      const held = passwordPool.run(() => new Promise<void>((r) => { release = r; }));
      try {
        const busy = await submitLogin(b, login, 'alice');
        assert.equal(busy.status, 503);
        assert.ok(Number(busy.headers.get('retry-after')) >= 1);
        assert.ok(textOf(busy.text, 'login-error'));
        assert.match(busy.text, /id="login-form"/);
        assert.equal(busy.setCookies.find((c) => c.includes('tessera_session')), undefined);
      } finally {
        release();
        await held;
      }
      const ok = await submitLogin(b, login, 'alice');
      assert.equal(ok.status, 200);
      assert.match(ok.text, /id="consent-form"/);
    });
  });
}

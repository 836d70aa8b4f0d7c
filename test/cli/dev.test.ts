// `serve --dev`: its credentials never outlive it, it never rewrites an existing user's
// password, and it binds only to loopback.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { verifyPassword } from '../../src/core/password.js';
import { devBanner, devSecret } from '../../src/dev/index.js';
import { basic, postForm, SECRET_KEY, startTestServer } from '../helpers/server.js';
import { BACKENDS, makeDatabase } from '../helpers/stores.js';

const run = promisify(execFile);
const secret = devSecret(SECRET_KEY);

for (const backend of BACKENDS) {
  describe(`serve --dev fixtures (${backend})`, () => {
    it('dev clients and users work under --dev and are gone at the next plain start on the same database', async () => {
      const db = await makeDatabase(backend);
      try {
        const dev = await startTestServer(backend, {}, { db, dev: true });
        const auth = { authorization: basic('demo', secret('demo-client')) };
        const password = { grant_type: 'password', username: 'alice', password: secret('alice').slice(0, 16) };
        assert.equal((await postForm(`${dev.url}/oauth2/token`, { grant_type: 'client_credentials' }, auth)).status, 200);
        assert.equal((await postForm(`${dev.url}/oauth2/token`, password, auth)).status, 200);
        await dev.close();

        const srv = await startTestServer(backend, {}, { db });
        try {
          const cc = await postForm(`${srv.url}/oauth2/token`, { grant_type: 'client_credentials' }, auth);
          assert.equal(cc.status, 401);
          assert.equal(cc.json.error, 'invalid_client');
          for (const id of ['demo', 'example-app', 'dot-demo', 'v1-demo', '45f1c5c8-a92e-11ed-afa1-0242ac120002']) {
            assert.equal(await srv.tessera.store.clients.get(id), null, id);
          }
          for (const u of ['alice', 'dot-user', 'v1-user', 'testuser@gmail.com']) {
            assert.equal(await srv.tessera.store.users.getByUsername(u), null, u);
          }
        } finally {
          await srv.close();
        }
      } finally {
        await db.cleanup();
      }
    });

    it('--dev never changes the password of a user who exists, and never takes the user over', async () => {
      const db = await makeDatabase(backend);
      const mine = 'operator-chosen-password-1';
      try {
        const first = await startTestServer(backend, {
          users: [{ username: 'alice', password: mine }],
          clients: [{ client_id: 'mine', client_secret: 'mine-secret-0123456789abcdefghijklmnopq', grant_types: ['password'] }],
        }, { db });
        await first.close();
        const dev = await startTestServer(backend, {}, { db, dev: true });
        const alice = await dev.tessera.store.users.getByUsername('alice');
        assert.equal(alice?.managed_by, null);
        assert.ok(await verifyPassword(alice!.password_hash, mine), 'the operator\'s password still works');
        assert.ok(!(await verifyPassword(alice!.password_hash, secret('alice').slice(0, 16))), 'the dev password does not');
        const banner = devBanner(dev.tessera.config, dev.url, SECRET_KEY, dev.tessera.kept);
        assert.match(banner, /user alice existed already: its password was left unchanged/);
        assert.ok(!banner.includes(secret('alice').slice(0, 16)), 'the banner does not print a password that is not alice\'s');
        await dev.close();
        const plain = await startTestServer(backend, {}, { db });
        try {
          assert.ok(await plain.tessera.store.users.getByUsername('alice'), 'an operator\'s user is never removed as a dev fixture');
        } finally {
          await plain.close();
        }
      } finally {
        await db.cleanup();
      }
    });
  });
}

describe('serve --dev binds only to loopback', () => {
  it('a non-loopback host exits 2 with one line naming the rule', async () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TESSERA_')));
    for (const host of ['0.0.0.0', '192.0.2.10', '::']) {
      const r = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--dev'], {
        env: { ...env, TESSERA_HOST: host, TESSERA_SECRET_KEY: SECRET_KEY, TESSERA_DATABASE: 'sqlite::memory:', TESSERA_ISSUER: 'https://tessera.example' },
        timeout: 30_000,
      }).then(() => ({ code: 0, stderr: '' }), (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }));
      assert.equal(r.code, 2, host);
      assert.match(r.stderr, /loopback/);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
  });
});

// `tessera registration token create|list|revoke` against a running server on the same
// database: the printed token registers a client once, is stored only hashed, and a revoked
// or used-up one is refused.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ok, tessera } from '../helpers/cli.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { BACKENDS, makeDatabase, type TestStore } from '../helpers/stores.js';

let tmp: string;
before(async () => { tmp = await mkdtemp(join(tmpdir(), 'tessera-cli-reg-')); });
after(async () => { await rm(tmp, { recursive: true, force: true }); });

describe('cli registration tokens', { concurrency: true }, () => {
  for (const kind of BACKENDS) {
    describe(kind, { concurrency: false }, () => {
      let db: TestStore;
      let srv: TestServer;
      let cfg: string;
      const run = (...args: string[]) => ok([...args, '--config', cfg]);
      const register = (token: string) => fetch(`${srv.url}/oauth2/register`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ grant_types: ['client_credentials'], scope: 'openid' }),
      });
      before(async () => {
        db = await makeDatabase(kind);
        srv = await startTestServer(kind, { registration: { initial_access_token: 'required' } }, { db });
        cfg = join(tmp, `${kind}.yaml`);
        await writeFile(cfg, `database: ${JSON.stringify(db.url)}\nlog_level: warn\nregistration: {initial_access_token: required}\n`);
      });
      after(async () => { await srv.close(); await db.cleanup(); });

      it('create prints the token once; it registers one client (the default), then is used up', async () => {
        const out = await run('registration', 'token', 'create', '--ttl', '2h');
        const token = /initial_access_token: (\S+)/.exec(out)?.[1];
        assert.ok(token, out);
        assert.equal(out.split(token).length - 1, 1, 'printed exactly once');
        assert.match(out, /will not be shown again/);
        assert.match(out, /1 use\)/);
        const listed = await run('registration', 'token', 'list');
        assert.ok(!listed.includes(token), 'list never shows the token');
        assert.match(listed, /active/);
        assert.equal((await register(token)).status, 201);
        assert.equal((await register(token)).status, 401);
        assert.match(await run('registration', 'token', 'list'), /1\/1\s+used up/);
      });

      it('--uses N and --json; revoke stops it; bad options exit 2', async () => {
        const j = JSON.parse(await run('registration', 'token', 'create', '--uses', '3', '--ttl', '30m', '--json')) as Record<string, any>;
        assert.equal(j.max_uses, 3);
        assert.ok(Math.abs(j.expires_at - j.created_at - 1800) <= 1);
        assert.equal((await register(j.initial_access_token)).status, 201);
        assert.match(await run('registration', 'token', 'revoke', j.id), /revoked initial access token/);
        assert.equal((await register(j.initial_access_token)).status, 401);
        const missing = await tessera(['registration', 'token', 'revoke', j.id, '--config', cfg]);
        assert.equal(missing.code, 1);
        for (const args of [['--ttl', 'soon'], ['--ttl', '400d'], ['--uses', '0']]) {
          const r = await tessera(['registration', 'token', 'create', ...args, '--config', cfg]);
          assert.equal(r.code, 2, args.join(' '));
        }
      });
    });
  }
});

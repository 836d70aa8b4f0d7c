// The admin CLI, run as a user would (`node --import tsx src/cli/main.ts …`), against each
// backend. Store state is checked in-process through openStore() where output alone cannot
// show it (a rotated secret no longer verifying, a password actually set).
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { verifyPassword } from '../../src/core/password.js';
import { verifyClientSecret } from '../../src/core/secrets.js';
import type { Store } from '../../src/core/store.js';
import { ok, tessera } from '../helpers/cli.js';
import { BACKENDS, makeDatabase, type TestStore, inStoreAt } from '../helpers/stores.js';

let tmp: string;
before(async () => { tmp = await mkdtemp(join(tmpdir(), 'tessera-cli-')); });
after(async () => { await rm(tmp, { recursive: true, force: true }); });

// The backends (and the error cases) run side by side, as spawning the CLI is the slow part;
// the steps within one backend build on each other, so they run in order.
describe('cli', { concurrency: true }, () => {
  describe('errors', { concurrency: false }, () => {
    it('a bad config file exits 2 with a message naming the key', async () => {
      const file = join(tmp, 'bad.yaml');
      await writeFile(file, 'port: "abc"\n');
      const r = await tessera(['--config', file, 'client', 'list']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /port/);
    });

    it('usage errors exit 2', async () => {
      const r = await tessera(['client', 'create', '--bogus']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /unknown option '--bogus'/);
      const bad = await tessera(['keys', 'rotate', '--alg', 'HS256']);
      assert.equal(bad.code, 2);
    });

    it('a bad option value exits 2 naming the option (the config file\'s rules)', async () => {
      const file = join(tmp, 'ok.yaml');
      await writeFile(file, `database: ${JSON.stringify(`sqlite:${join(tmp, 'ok.db')}`)}\n`);
      const r = await tessera(['client', 'create', '--init', '--grant-types', 'implicit', '--config', file]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /--grant-types: unknown grant type "implicit"/);
    });
  });

  for (const kind of BACKENDS) {
    describe(kind, { concurrency: false }, () => {
      let db: TestStore;
      let cfg: string;
      /** `--config` goes after the command here, before it in `pre`: both must work. */
      const run = (...args: string[]) => ok([...args, '--config', cfg]);
      const pre = (...args: string[]) => ok(['--config', cfg, ...args]);
      const inStore = <T>(fn: (s: Store) => Promise<T>): Promise<T> => inStoreAt(db.url, fn);

      before(async () => {
        db = await makeDatabase(kind);
        cfg = join(tmp, `${kind}.yaml`);
        await writeFile(cfg, `database: ${JSON.stringify(db.url)}\nlog_level: warn\n`);
      });
      after(async () => { await db.cleanup(); });

      it('migrate applies the migrations once, then says up to date', async () => {
        assert.match(await pre('migrate'), /applied migrations: 1\b/);
        assert.match(await run('migrate'), /database is up to date/);
      });

      let secret = '';
      it('client create prints a generated secret once; show/list never print it or its hash', async () => {
        const out = await run('client', 'create', '--id', 'svc', '--name', 'Service', '--scope', 'read write', '--access-token-ttl', '600');
        const m = /client_secret: (\S+)/.exec(out);
        assert.ok(m, out);
        secret = m[1]!;
        assert.equal(out.split(secret).length - 1, 1, 'the secret is printed exactly once');
        assert.match(out, /will not be shown again/);
        const hash = await inStore(async (s) => (await s.clients.get('svc'))!.client_secret_hash!);
        assert.ok(await verifyClientSecret(secret, hash));

        const shown = await pre('client', 'show', 'svc', '--json');
        const listed = await run('client', 'list');
        for (const text of [shown, listed]) {
          assert.ok(!text.includes(secret) && !text.includes(hash), 'no secret or hash in show/list output');
        }
        const c = JSON.parse(shown) as Record<string, unknown>;
        assert.equal(c.client_secret, undefined);
        assert.equal(c.client_secret_hash, undefined);
        assert.equal(c.client_name, 'Service');
        assert.equal(c.access_token_ttl, 600);
        assert.match(listed, /svc\s+Service\s+client_secret_basic/);
      });

      it('client create of an existing id exits 1', async () => {
        const dup = await tessera(['client', 'create', '--id', 'svc', '--config', cfg]);
        assert.equal(dup.code, 1);
        assert.match(dup.stderr, /client "svc" already exists/);
      });

      it('client list --json uses the config file names; create --json carries the secret', async () => {
        const opaque = JSON.parse(await run('client', 'create', '--id', 'op', '--format', 'opaque', '--auth-method', 'client_secret_post', '--json')) as Record<string, unknown>;
        assert.equal(typeof opaque.client_secret, 'string');

        const list = JSON.parse(await run('client', 'list', '--json')) as Record<string, unknown>[];
        assert.deepEqual(list.map((c) => c.client_id), ['op', 'svc']);
        assert.deepEqual(list.find((c) => c.client_id === 'svc'), {
          client_id: 'svc', client_name: 'Service', grant_types: ['client_credentials'], scope: 'read write',
          token_endpoint_auth_method: 'client_secret_basic', access_token_format: 'jwt', access_token_ttl: 600, resources: [],
          introspect: 'own',
          disabled: false, redirect_uris: [], post_logout_redirect_uris: [], first_party: false, allow_plain_pkce: false,
        });
        assert.equal(list.find((c) => c.client_id === 'op')!.access_token_format, 'opaque');
        const gw = JSON.parse(await run('client', 'create', '--id', 'gw', '--introspect', 'all', '--json')) as Record<string, unknown>;
        assert.equal(gw.introspect, 'all');
        const bad = await tessera(['client', 'create', '--id', 'gw2', '--introspect', 'everything', '--config', cfg]);
        assert.equal(bad.code, 2);
        assert.match(bad.stderr, /--introspect: must be one of own, all/);
        const graced = JSON.parse(await run('client', 'create', '--id', 'gp', '--grant-types', 'password refresh_token', '--refresh-token-grace-period', '30', '--json')) as Record<string, unknown>;
        assert.equal(graced.refresh_token_grace_period, 30);
        assert.equal(await inStore(async (s) => (await s.clients.get('gp'))!.refresh_token_grace_period), 30);
        assert.ok(list.every((c) => !('client_secret' in c) && !('client_secret_hash' in c)));
      });

      it('client rotate-secret prints a new secret; the old one stops verifying', async () => {
        const out = await run('client', 'rotate-secret', 'svc');
        const fresh = /client_secret: (\S+)/.exec(out)?.[1];
        assert.ok(fresh && fresh !== secret, out);
        assert.match(out, /will not be shown again/);
        const hash = await inStore(async (s) => (await s.clients.get('svc'))!.client_secret_hash!);
        assert.equal(await verifyClientSecret(secret, hash), false);
        assert.equal(await verifyClientSecret(fresh, hash), true);
      });

      it('client disable revokes its tokens and shows it disabled; enable lifts only the flag', async () => {
        await inStore((s) => s.tokens.persistIssue({ family: { id: 'svc-session', client_id: 'svc', user_id: null, created_at: 1 } }, 1));
        assert.match(await run('client', 'disable', 'svc'), /disabled client svc \(1 session and tokens revoked\)/);
        assert.equal((JSON.parse(await pre('client', 'show', 'svc', '--json')) as { disabled: boolean }).disabled, true);
        assert.match(await run('client', 'list'), /DISABLED[\s\S]*\nsvc\s.*\syes\s/);
        assert.notEqual(await inStore(async (s) => (await s.tokens.findFamily('svc-session'))?.revoked_at), null);
        const cut = await inStore(async (s) => (await s.clients.get('svc'))!.tokens_not_before);
        assert.notEqual(cut, null);

        assert.match(await run('client', 'enable', 'svc'), /enabled client svc/);
        const c = await inStore(async (s) => (await s.clients.get('svc'))!);
        assert.equal(c.disabled, false);
        // Tokens cut off by the disabling stay cut off.
        assert.equal(c.tokens_not_before, cut);
        const r = await tessera(['client', 'disable', 'nope', '--config', cfg]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /no client with client_id "nope"/);
      });

      it('client delete; an unknown id then exits 1 with a message', async () => {
        assert.match(await run('client', 'delete', 'op'), /deleted client op/);
        const r = await tessera(['client', 'show', 'op', '--config', cfg]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /no client with client_id "op"/);
      });

      it('participant create and list', async () => {
        const p = JSON.parse(await run('participant', 'create', '--code', 'P-1', '--name', 'Acme', '--roles', 'payer,provider', '--json')) as unknown;
        assert.deepEqual(p, { participant_code: 'P-1', name: 'Acme', roles: ['payer', 'provider'] });
        assert.deepEqual(JSON.parse(await run('participant', 'list', '--json')), [p]);
      });

      it('user create --password-stdin, set-password; no hash is ever printed', async () => {
        const created = await ok(['user', 'create', '--username', 'alice', '--password-stdin', '--participant', 'P-1', '--roles', 'a b', '--email', 'a@example.org', '--json', '--config', cfg], 'first-pass-0123456\n');
        assert.deepEqual(JSON.parse(created), { username: 'alice', email: 'a@example.org', email_verified: false, roles: ['a', 'b'], participant_code: 'P-1', disabled: false });
        const hash1 = await inStore(async (s) => (await s.users.getByUsername('alice'))!.password_hash);
        assert.ok(await verifyPassword(hash1, 'first-pass-0123456'));

        // A session (refresh family) made with the old password...
        const aliceId = await inStore(async (s) => (await s.users.getByUsername('alice'))!.id);
        await inStore((s) => s.tokens.persistIssue({ family: { id: 'alice-session', client_id: 'c', user_id: aliceId, created_at: 1 } }, 1));
        const out = await ok(['user', 'set-password', 'alice', '--password-stdin', '--config', cfg], 'second-pass-0123456\n');
        assert.match(out, /1 session revoked/);
        // ...is over once the password changes.
        assert.notEqual(await inStore(async (s) => (await s.tokens.findFamily('alice-session'))?.revoked_at), null);
        const hash2 = await inStore(async (s) => (await s.users.getByUsername('alice'))!.password_hash);
        assert.ok(await verifyPassword(hash2, 'second-pass-0123456'));
        assert.equal(await verifyPassword(hash2, 'first-pass-0123456'), false);

        const gen = await run('user', 'create', '--username', 'bob');
        const pw = /password: (\S+)/.exec(gen)?.[1];
        assert.ok(pw, gen);
        assert.match(gen, /will not be shown again/);
        assert.ok(await inStore(async (s) => verifyPassword((await s.users.getByUsername('bob'))!.password_hash, pw)));

        const listed = await run('user', 'list', '--json');
        assert.deepEqual(JSON.parse(listed), [
          { username: 'alice', email: 'a@example.org', email_verified: false, roles: ['a', 'b'], participant_code: 'P-1', disabled: false },
          { username: 'bob', email_verified: false, roles: [], disabled: false },
        ]);
        for (const text of [created, listed]) assert.ok(!text.includes('$argon2') && !text.includes(hash2));
      });

      it('user disable revokes its sessions and shows it disabled; enable lifts only the flag', async () => {
        const id = await inStore(async (s) => (await s.users.getByUsername('alice'))!.id);
        await inStore((s) => s.tokens.persistIssue({ family: { id: 'alice-session-2', client_id: 'c', user_id: id, created_at: 1 } }, 1));
        assert.match(await run('user', 'disable', 'alice'), /disabled user alice \(1 session revoked\)/);
        assert.notEqual(await inStore(async (s) => (await s.tokens.findFamily('alice-session-2'))?.revoked_at), null);
        const listed = JSON.parse(await run('user', 'list', '--json')) as { username: string; disabled: boolean }[];
        assert.equal(listed.find((u) => u.username === 'alice')?.disabled, true);
        assert.match(await run('user', 'list'), /DISABLED[\s\S]*\nalice\s.*\syes\n/);

        assert.match(await run('user', 'enable', 'alice'), /enabled user alice/);
        const u = await inStore(async (s) => (await s.users.getByUsername('alice'))!);
        assert.equal(u.disabled, false);
        assert.notEqual(u.tokens_not_before, null);
        const r = await tessera(['user', 'enable', 'nobody', '--config', cfg]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /no user with username "nobody"/);
      });

      it('user create with an unknown participant exits 1 and creates nothing', async () => {
        const r = await tessera(['user', 'create', '--username', 'carol', '--password', 'x-pass', '--participant', 'NOPE', '--config', cfg]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /participant.*"NOPE"/);
        assert.equal(await inStore((s) => s.users.getByUsername('carol')), null);
      });

      it('user delete; an unknown username exits 1', async () => {
        assert.match(await run('user', 'delete', 'bob'), /deleted user bob/);
        const r = await tessera(['user', 'delete', 'bob', '--config', cfg]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /no user with username "bob"/);
      });

      it('keys rotate, then keys list shows the current key and the next one, published ahead', async () => {
        // A fresh database has no key yet (the server makes one at start): the first rotate makes it.
        const first = JSON.parse(await run('keys', 'rotate', '--json')) as { kid: string; previous_kid: string | null };
        assert.equal(first.previous_kid, null);
        const out = await run('keys', 'rotate');
        const kid = /signing key: (\S+)/.exec(out)?.[1];
        assert.ok(kid, out);
        assert.match(out, /published in the JWKS now and every instance signs with it from \d{4}-/);
        assert.match(out, new RegExp(`previous key ${first.kid} signs until then and stays in the JWKS`));

        const keys = JSON.parse(await run('keys', 'list', '--json')) as
          { kid: string; alg: string; status: string; created_at: number; activates_at: number; retired_at: number | null }[];
        assert.equal(keys.length, 2);
        assert.deepEqual(keys.map((k) => k.alg), ['ES256', 'ES256']);
        const current = keys.find((k) => k.status === 'current');
        const next = keys.find((k) => k.status === 'next');
        assert.equal(current?.kid, first.kid, 'the first key signs until its successor activates');
        assert.equal(next?.kid, kid);
        // key_publish_ahead (default 600 s) after its creation, and the first key retires then.
        assert.equal(next!.activates_at - next!.created_at, 600);
        assert.equal(current!.retired_at, next!.activates_at);
        assert.match(await run('keys', 'list'), /SIGNS FROM/);
      });
    });
  }
});

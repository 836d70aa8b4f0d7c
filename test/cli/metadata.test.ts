// The CLI's client and user options, derived from the metadata table: every field set
// through its option reads back from the store and from `show --json`; `update` changes only
// what it is given and keeps the secret/password.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CLIENT_METADATA, METADATA_FIELDS, nonDefaultValue, type FieldSpec } from '../../src/core/client-metadata.js';
import { verifyClientSecret } from '../../src/core/secrets.js';
import type { Store } from '../../src/core/store.js';
import type { Client } from '../../src/core/types.js';
import { ok, tessera } from '../helpers/cli.js';
import { BACKENDS, makeDatabase, type TestStore, inStoreAt } from '../helpers/stores.js';

/** The options that set every metadata field to its non-default value. */
function everyFieldArgs(): string[] {
  const args: string[] = [];
  for (const k of METADATA_FIELDS) {
    const { flag, kind } = CLIENT_METADATA[k] as FieldSpec;
    const v = nonDefaultValue(k);
    if (kind.type === 'bool') args.push(v ? flag : `--no-${flag.slice(2)}`);
    else if (kind.type === 'redirect_uris') for (const u of v as string[]) args.push(flag, u);
    else args.push(flag, Array.isArray(v) ? v.join(',') : String(v));
  }
  return args;
}

let tmp: string;
before(async () => { tmp = await mkdtemp(join(tmpdir(), 'tessera-cli-meta-')); });
after(async () => { await rm(tmp, { recursive: true, force: true }); });

describe('cli client/user metadata', { concurrency: true }, () => {
  for (const kind of BACKENDS) {
    describe(kind, { concurrency: false }, () => {
      let db: TestStore;
      let cfg: string;
      const run = (...args: string[]) => ok([...args, '--config', cfg]);
      const inStore = <T>(fn: (s: Store) => Promise<T>): Promise<T> => inStoreAt(db.url, fn);
      before(async () => {
        db = await makeDatabase(kind);
        cfg = join(tmp, `${kind}.yaml`);
        await writeFile(cfg, `database: ${JSON.stringify(db.url)}\nlog_level: warn\n`);
        await run('migrate');
      });
      after(async () => { await db.cleanup(); });

      it('client create sets every table field through its option; show --json prints each', async () => {
        const created = JSON.parse(await run('client', 'create', '--id', 'all', ...everyFieldArgs(), '--json')) as Record<string, unknown>;
        const stored = await inStore(async (s) => (await s.clients.get('all'))!);
        const shown = JSON.parse(await run('client', 'show', 'all', '--json')) as Record<string, unknown>;
        for (const k of METADATA_FIELDS) {
          assert.deepEqual(stored[k], nonDefaultValue(k), `stored ${k}`);
          assert.deepEqual(shown[k], nonDefaultValue(k), `shown ${k}`);
          assert.deepEqual(created[k], nonDefaultValue(k), `created ${k}`);
        }
        assert.ok(await verifyClientSecret(String(created.client_secret), stored.client_secret_hash!));
      });

      it('client update replaces the given fields only, keeps the secret; bad values name the option', async () => {
        const out = JSON.parse(await run('client', 'create', '--id', 'web', '--grant-types', 'authorization_code', '--redirect-uri', 'https://a.example/cb', '--first-party', '--json')) as { client_secret: string };
        const before = await inStore(async (s) => (await s.clients.get('web'))!);
        await run('client', 'update', 'web', '--redirect-uri', 'https://b.example/cb', '--redirect-uri', 'com.example.app:/cb', '--no-first-party', '--logo-uri', 'https://b.example/logo.png');
        const after = await inStore(async (s) => (await s.clients.get('web'))!);
        assert.deepEqual(after.redirect_uris, ['https://b.example/cb', 'com.example.app:/cb']);
        assert.equal(after.first_party, false);
        assert.equal(after.logo_uri, 'https://b.example/logo.png');
        assert.deepEqual(after.grant_types, before.grant_types);
        assert.equal(after.client_secret_hash, before.client_secret_hash);
        assert.ok(await verifyClientSecret(out.client_secret, after.client_secret_hash!));
        for (const [args, message] of [
          [['--redirect-uri', 'javascript:alert(1)'], /--redirect-uri: "javascript:alert\(1\)": scheme javascript is not allowed/],
          [['--redirect-uri', 'http://evil.example/cb'], /--redirect-uri: .*http is only accepted on a loopback address/],
          [['--redirect-uri', 'https://a.example/cb#x'], /--redirect-uri: .*must not have a fragment/],
          [['--logo-uri', 'http://evil.example/l.png'], /--logo-uri: must be an https URL/],
          [['--auth-method', 'none'], /--auth-method: a client cannot switch between public and confidential/],
          [['--id-token-alg', 'HS256'], /--id-token-alg: must be one of RS256, ES256/],
        ] as const) {
          const r = await tessera(['client', 'update', 'web', ...args, '--config', cfg]);
          assert.equal(r.code, 2, r.stderr);
          assert.match(r.stderr, message);
        }
        assert.deepEqual(await inStore(async (s) => (await s.clients.get('web'))!.redirect_uris), after.redirect_uris, 'a refused update writes nothing');
        const missing = await tessera(['client', 'update', 'nope', '--first-party', '--config', cfg]);
        assert.equal(missing.code, 1);
        assert.match(missing.stderr, /no client with client_id "nope"/);
      });

      it('user create and update set the OIDC claims; show prints them; the password stays', async () => {
        await run('user', 'create', '--username', 'ann', '--password', 'ann-password-0123', '--email', 'ann@example.org', '--email-verified',
          '--name', 'Ann Lee', '--given-name', 'Ann', '--family-name', 'Lee', '--picture', 'https://img.example/ann.png', '--locale', 'en-GB');
        const hash = await inStore(async (s) => (await s.users.getByUsername('ann'))!.password_hash);
        const shown = JSON.parse(await run('user', 'show', 'ann', '--json')) as Record<string, unknown>;
        assert.deepEqual(shown, {
          username: 'ann', email: 'ann@example.org', email_verified: true, name: 'Ann Lee', given_name: 'Ann', family_name: 'Lee',
          picture: 'https://img.example/ann.png', locale: 'en-GB', roles: [], disabled: false,
        });
        assert.match(await run('user', 'show', 'ann'), /given_name:\s+Ann\n[\s\S]*locale:\s+en-GB/);
        await run('user', 'update', 'ann', '--no-email-verified', '--family-name', 'Lee-Smith', '--roles', 'admin');
        const u = await inStore(async (s) => (await s.users.getByUsername('ann'))!);
        assert.equal(u.email_verified, false);
        assert.equal(u.family_name, 'Lee-Smith');
        assert.equal(u.given_name, 'Ann');
        assert.deepEqual(u.roles, ['admin']);
        assert.equal(u.password_hash, hash);
        const bad = await tessera(['user', 'update', 'ann', '--picture', 'javascript:x', '--config', cfg]);
        assert.equal(bad.code, 2);
        assert.match(bad.stderr, /--picture: must be an/);
      });

      it('a Client has exactly the table\'s fields plus client_id and the state fields', async () => {
        const c = await inStore(async (s) => (await s.clients.get('all'))!);
        const state = ['client_secret_hash', 'managed_by', 'tokens_not_before', 'locked_until', 'created_at', 'updated_at',
          'client_secret_expires_at', 'registration_access_token_hash', 'last_used_at'];
        assert.deepEqual(Object.keys(c).sort(), ['client_id', ...METADATA_FIELDS, ...state].sort() as (keyof Client)[]);
      });
    });
  }
});

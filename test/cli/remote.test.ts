// The CLI against a running server, spawned as a user runs it: `tessera token` for each grant,
// introspect/revoke and their exit codes, and every admin command with --server on the admin
// API (happy path, 401, 403, 404), on each store.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ok, tessera } from '../helpers/cli.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { BACKENDS } from '../helpers/stores.js';

const SVC = 'svc-secret-0123456789abcdefghijklmnopqrstuv';
const APP = 'app-secret-0123456789abcdefghijklmnopqrstuvw';
const ALICE = 'correct horse battery staple';

describe('cli against a running server', { concurrency: true }, () => {
  for (const kind of BACKENDS) {
    describe(kind, { concurrency: false }, () => {
      let srv: TestServer;
      let admin: Record<string, string>;
      let S: string[];
      before(async () => {
        srv = await startTestServer(kind, {
          clients: [
            { client_id: 'svc', client_secret: SVC, grant_types: ['client_credentials'], scope: 'read write' },
            { client_id: 'app', client_secret: APP, grant_types: ['password', 'refresh_token'], scope: 'read' },
          ],
          users: [{ username: 'alice', password: ALICE }],
        });
        const b = srv.tessera.bootstrap!;
        admin = { TESSERA_ADMIN_CLIENT_ID: b.client_id, TESSERA_ADMIN_CLIENT_SECRET: b.client_secret };
        S = ['--server', srv.adminUrl!, '--issuer', srv.url];
      });
      after(async () => { await srv.close(); });
      const svc = () => ['--server', srv.url, '--client-id', 'svc'];
      const asSvc = { TESSERA_CLIENT_SECRET: SVC };

      it('--version and -V print package.json\'s version; --help names it', async () => {
        const { version } = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync('package.json', 'utf8'))) as { version: string };
        assert.equal(await ok(['--version']), `${version}\n`);
        assert.equal(await ok(['-V']), `${version}\n`);
        assert.match(await ok(['--help']), new RegExp(`^Usage: tessera .*\\n\\nTessera ${version.replace(/\./g, '\\.')}:`));
      });

      it('token: client_credentials prints the JSON answer; -q only the access token', async () => {
        const body = JSON.parse(await ok(['token', ...svc(), '--scope', 'read'], undefined, asSvc)) as Record<string, unknown>;
        assert.equal(body.token_type, 'Bearer');
        assert.equal(body.scope, 'read');
        assert.equal(typeof body.access_token, 'string');
        const quiet = await ok(['token', '-q', ...svc()], undefined, asSvc);
        assert.match(quiet, /^[\w-]+\.[\w-]+\.[\w-]+\n$/);
        // The configured issuer is the default --server.
        assert.equal((await tessera(['token', '-q', '--client-id', 'svc'], undefined, { ...asSvc, TESSERA_ISSUER: srv.url })).code, 0);
      });

      it('token -q with the secret on stdin prints one line: the access token', async () => {
        const out = await ok(['token', '-q', '--client-secret-stdin', ...svc()], `${SVC}\n`);
        assert.match(out, /^[\w-]+\.[\w-]+\.[\w-]+\n$/);
      });

      it('token: the server\'s refusal is its error code and description on one line, exit 1; usage exit 2', async () => {
        const bad = await tessera(['token', ...svc()], undefined, { TESSERA_CLIENT_SECRET: 'wrong-secret' });
        assert.equal(bad.code, 1);
        assert.match(bad.stderr, /^tessera: invalid_client: \S.*\n$/);
        assert.ok(!bad.stderr.includes('wrong-secret'));
        const scope = await tessera(['token', ...svc(), '--scope', 'nope'], undefined, asSvc);
        assert.equal(scope.code, 1);
        assert.match(scope.stderr, /^tessera: invalid_scope/);
        for (const args of [['token', '--server', srv.url], ['token', ...svc(), '--grant', 'password'], ['token', ...svc(), '--grant', 'implicit'], ['token', ...svc(), '--username', 'x']]) {
          const r = await tessera(args, undefined, asSvc);
          assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
        }
        const down = await tessera(['token', '--server', 'http://127.0.0.1:1', '--client-id', 'svc'], undefined, asSvc);
        assert.equal(down.code, 1);
        assert.equal(down.stderr.split('\n').length, 2, down.stderr);
      });

      it('token: password (client secret, then password, from stdin) and refresh_token grants', async () => {
        const app = ['--server', srv.url, '--client-id', 'app'];
        const pw = JSON.parse(await ok(['token', ...app, '--grant', 'password', '--username', 'alice', '--client-secret-stdin', '--password-stdin'], `${APP}\n${ALICE}\n`)) as Record<string, string>;
        assert.equal(typeof pw.refresh_token, 'string');
        const wrong = await tessera(['token', ...app, '--grant', 'password', '--username', 'alice', '--password-stdin'], 'not the password at all\n', { TESSERA_CLIENT_SECRET: APP });
        assert.equal(wrong.code, 1);
        assert.match(wrong.stderr, /^tessera: invalid_grant/);
        const refreshed = JSON.parse(await ok(['token', ...app, '--grant', 'refresh_token', '--refresh-token', '-'], `${pw.refresh_token}\n`, { TESSERA_CLIENT_SECRET: APP })) as Record<string, string>;
        assert.equal(typeof refreshed.access_token, 'string');
        assert.notEqual(refreshed.refresh_token, pw.refresh_token);
      });

      it('introspect: exit 0 active, 3 inactive; revoke: exit 0; TOKEN - reads stdin', async () => {
        const token = (await ok(['token', '-q', ...svc()], undefined, asSvc)).trim();
        const active = await tessera(['introspect', token, ...svc()], undefined, asSvc);
        assert.equal(active.code, 0, active.stderr);
        assert.equal((JSON.parse(active.stdout) as { active: boolean }).active, true);
        assert.equal((await tessera(['introspect', '-', ...svc()], `${token}\n`, asSvc)).code, 0);
        assert.equal(await ok(['revoke', '-', ...svc()], `${token}\n`, asSvc), 'revoked\n');
        const inactive = await tessera(['introspect', token, ...svc()], undefined, asSvc);
        assert.equal(inactive.code, 3);
        assert.deepEqual(JSON.parse(inactive.stdout), { active: false });
        assert.equal((await tessera(['introspect', 'garbage', ...svc()], undefined, asSvc)).code, 3);
        const unauth = await tessera(['introspect', token, ...svc()], undefined, { TESSERA_CLIENT_SECRET: 'wrong' });
        assert.equal(unauth.code, 1);
        assert.match(unauth.stderr, /invalid_client/);
      });

      it('--server: client create/list/show/update/disable/enable/rotate-secret/unlock/delete through the admin API', async () => {
        const created = JSON.parse(await ok(['client', 'create', '--id', 'billing', '--grant-types', 'client_credentials', '--scope', 'inv', '--access-token-ttl', '900', '--json', ...S], undefined, admin)) as Record<string, unknown>;
        assert.equal(created.access_token_ttl, 900);
        const secret = String(created.client_secret);
        // The secret the API generated works at the token endpoint.
        assert.match(await ok(['token', '-q', '--server', srv.url, '--client-id', 'billing'], undefined, { TESSERA_CLIENT_SECRET: secret }), /^\S+\n$/);
        assert.match(await ok(['client', 'list', ...S], undefined, admin), /^CLIENT_ID.*\n(.*\n)*billing\s+-\s+client_secret_basic\s+client_credentials/m);
        await ok(['client', 'update', 'billing', '--scope', 'inv pay', ...S], undefined, admin);
        const shown = JSON.parse(await ok(['client', 'show', 'billing', '--json', ...S], undefined, admin)) as Record<string, unknown>;
        assert.equal(shown.scope, 'inv pay');
        assert.equal(shown.access_token_ttl, 900, 'fields not given stay');
        assert.equal(shown.client_secret, undefined);
        assert.match(await ok(['client', 'show', 'billing', ...S], undefined, admin), /^scope:\s+inv pay$/m);
        assert.match(await ok(['client', 'disable', 'billing', ...S], undefined, admin), /^disabled client billing/);
        assert.equal((await tessera(['token', '--server', srv.url, '--client-id', 'billing'], undefined, { TESSERA_CLIENT_SECRET: secret })).code, 1);
        assert.equal(await ok(['client', 'enable', 'billing', ...S], undefined, admin), 'enabled client billing\n');
        const rotated = await ok(['client', 'rotate-secret', 'billing', ...S], undefined, admin);
        const fresh = /client_secret: (\S+)/.exec(rotated)![1]!;
        assert.notEqual(fresh, secret);
        assert.equal((await tessera(['token', '--server', srv.url, '--client-id', 'billing'], undefined, { TESSERA_CLIENT_SECRET: secret })).code, 1);
        assert.equal((await tessera(['token', '--server', srv.url, '--client-id', 'billing'], undefined, { TESSERA_CLIENT_SECRET: fresh })).code, 0);
        assert.equal(await ok(['client', 'unlock', 'billing', ...S], undefined, admin), 'unlocked client billing\n');
        assert.equal(await ok(['client', 'delete', 'billing', ...S], undefined, admin), 'deleted client billing\n');
        const gone = await tessera(['client', 'show', 'billing', ...S], undefined, admin);
        assert.equal(gone.code, 1);
        assert.equal(gone.stderr, 'tessera: Not found: no client "billing"\n');
        const given = await tessera(['client', 'create', '--secret', 'x'.repeat(40), ...S], undefined, admin);
        assert.equal(given.code, 2);
      });

      it('--server: user create/list/show/update/set-password/disable/enable/unlock/delete', async () => {
        assert.equal(await ok(['participant', 'create', '--code', 'P-1', '--name', 'Clinic', '--roles', 'provider', ...S], undefined, admin), 'created participant P-1\n');
        assert.match(await ok(['participant', 'list', ...S], undefined, admin), /^P-1\s+Clinic\s+provider$/m);
        const pw1 = 'dana first password 123';
        assert.equal(await ok(['user', 'create', '--username', 'dana', '--password-stdin', '--participant', 'P-1', '--email', 'd@example.org', ...S], `${pw1}\n`, admin), 'created user dana\n');
        const app = ['--server', srv.url, '--client-id', 'app', '--grant', 'password', '--username', 'dana', '--password-stdin'];
        const asApp = { TESSERA_CLIENT_SECRET: APP };
        assert.equal((await tessera(['token', ...app], `${pw1}\n`, asApp)).code, 0);
        assert.match(await ok(['user', 'list', ...S], undefined, admin), /^dana\s+-\s+d@example\.org\s+-\s+P-1\s+no$/m);
        await ok(['user', 'update', 'dana', '--name', 'Dana D', '--roles', 'nurse,admin', ...S], undefined, admin);
        const shown = JSON.parse(await ok(['user', 'show', 'dana', '--json', ...S], undefined, admin)) as Record<string, unknown>;
        assert.deepEqual([shown.name, shown.roles, shown.email, shown.password, shown.password_hash], ['Dana D', ['nurse', 'admin'], 'd@example.org', undefined, undefined]);
        const pw2 = 'dana second password 456';
        assert.match(await ok(['user', 'set-password', 'dana', '--password-stdin', ...S], `${pw2}\n`, admin), /^set the password of user dana/);
        assert.equal((await tessera(['token', ...app], `${pw1}\n`, asApp)).code, 1);
        assert.equal((await tessera(['token', ...app], `${pw2}\n`, asApp)).code, 0);
        assert.match(await ok(['user', 'disable', 'dana', ...S], undefined, admin), /^disabled user dana/);
        assert.equal((await tessera(['token', ...app], `${pw2}\n`, asApp)).code, 1);
        assert.equal(await ok(['user', 'enable', 'dana', ...S], undefined, admin), 'enabled user dana\n');
        assert.equal(await ok(['user', 'unlock', 'dana', ...S], undefined, admin), 'unlocked user dana\n');
        const weak = await tessera(['user', 'set-password', 'dana', '--password', 'short', ...S], undefined, admin);
        assert.equal(weak.code, 2);
        assert.match(await ok(['user', 'delete', 'dana', ...S], undefined, admin), /^deleted user dana/);
        const gone = await tessera(['user', 'show', 'dana', ...S], undefined, admin);
        assert.equal(gone.code, 1);
        assert.match(gone.stderr, /no user with username "dana"/);
      });

      it('--server: keys list/rotate and audit (who did what)', async () => {
        const before = JSON.parse(await ok(['keys', 'list', '--json', ...S], undefined, admin)) as { kid: string; status: string }[];
        assert.ok(before.some((k) => k.status === 'current'));
        const k = JSON.parse(await ok(['keys', 'rotate', '--json', ...S], undefined, admin)) as { kid: string };
        assert.match(await ok(['keys', 'list', ...S], undefined, admin), new RegExp(`^${k.kid}\\s+ES256`, 'm'));
        const audit = await ok(['audit', '--limit', '3', ...S], undefined, admin);
        assert.match(audit, /^SEQ\s+TIME\s+ACTOR\s+ACTION\s+ID\n\d+\s+\S+\s+tessera-admin\s+key\.rotate\s+/);
        assert.equal(audit.trim().split('\n').length, 4);
        const json = JSON.parse(await ok(['audit', '--limit', '1', '--json', ...S], undefined, admin)) as { action: string }[];
        assert.deepEqual(json.map((e) => e.action), ['key.rotate']);
      });

      it('--server errors: no token is a usage error (2); a bad token 401, a token without tessera:admin 403, an unknown id 404 (exit 1)', async () => {
        const none = await tessera(['client', 'list', ...S]);
        assert.equal(none.code, 2);
        assert.match(none.stderr, /--server needs an admin token/);
        const bad = await tessera(['client', 'list', '--server', srv.adminUrl!, '--token', 'not-a-token']);
        assert.equal(bad.code, 1);
        assert.match(bad.stderr, /^tessera: Unauthorized: /);
        const plain = (await ok(['token', '-q', ...svc()], undefined, asSvc)).trim();
        const forbidden = await tessera(['user', 'list', '--server', srv.adminUrl!], undefined, { TESSERA_ADMIN_TOKEN: plain });
        assert.equal(forbidden.code, 1);
        assert.match(forbidden.stderr, /^tessera: Forbidden: /);
        const wrongSecret = await tessera(['keys', 'list', ...S], undefined, { ...admin, TESSERA_ADMIN_CLIENT_SECRET: 'wrong' });
        assert.equal(wrongSecret.code, 1);
        assert.match(wrongSecret.stderr, /invalid_client/);
        for (const args of [['client', 'delete', 'nope'], ['participant', 'create', '--code', 'P-1']]) {
          const r = await tessera([...args, ...S], undefined, admin);
          assert.equal(r.code, 1, r.stderr);
          assert.match(r.stderr, /^tessera: (Not found|Conflict): /);
        }
        // A token obtained once serves many calls: --token with an admin token.
        const adminToken = (await ok(['token', '-q', '--server', srv.url, '--client-id', admin.TESSERA_ADMIN_CLIENT_ID!, '--scope', 'tessera:admin'], undefined, { TESSERA_CLIENT_SECRET: admin.TESSERA_ADMIN_CLIENT_SECRET! })).trim();
        assert.match(await ok(['client', 'list', '--server', srv.adminUrl!, '--token', adminToken]), /^svc\s/m);
      });
    });
  }
});

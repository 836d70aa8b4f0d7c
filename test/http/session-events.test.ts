// Black-box: security events end sessions (RFC 9700 §4.14.2). The real
// server runs while the admin CLI (or the config file at the next start) disables, deletes
// or changes a password; what the server then answers over HTTP is what is checked.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { validateConfig } from '../../src/config/validate.js';
import { startServer, type Running } from '../../src/server.js';
import { ok } from '../helpers/cli.js';
import { basic, postForm, SECRET_KEY } from '../helpers/server.js';
import { BACKENDS, makeDatabase, type TestStore } from '../helpers/stores.js';

const SECRET = 'session-secret-0123456789abcdefghijklmnopq';
const PW = 'first-password';
const client = (client_id: string, grant_types: string[], o: Record<string, unknown> = {}) =>
  ({ client_id, client_secret: SECRET, grant_types, scope: 'read', ...o });
const user = (username: string, o: Record<string, unknown> = {}) => ({ username, password: PW, ...o });

// Tokens iat and cut-off times are whole seconds: a token from the very second of a change
// stays valid, so each scenario starts its change in a later second than its tokens.
const nextSecond = () => sleep(1010 - (Date.now() % 1000));

const entities = {
  clients: [
    // The gateway that checks everyone's tokens (introspect: all, docs/security.md).
    client('rs', ['client_credentials'], { introspect: 'all' }),
    client('cc-jwt', ['client_credentials']),
    client('cc-op', ['client_credentials', 'password', 'refresh_token'], { access_token_format: 'opaque' }),
    client('gone', ['client_credentials']),
    client('app', ['password', 'refresh_token']),
    client('noref', ['password']),
    client('cfg-off', ['client_credentials']),
    client('idle', ['password', 'refresh_token'], { refresh_token_idle_ttl: 3 }),
    client('abs', ['password', 'refresh_token'], { refresh_token_ttl: 4 }),
  ],
  users: ['carol', 'dan', 'erin', 'frank', 'gina', 'hank', 'ivy'].map((u) => user(u)),
};

for (const backend of BACKENDS) {
  describe(`security events end sessions (${backend})`, () => {
    let db: TestStore;
    let dir: string;
    let cfgFile: string;
    let srv: Running;
    const start = async (raw: Record<string, unknown>) => {
      // A fixed issuer: tokens must keep verifying across a restart on another port. No
      // client cache, so what the CLI changes is seen at once.
      srv = await startServer(validateConfig({
        issuer: 'https://issuer.test', host: '127.0.0.1', port: 0, secret_key: SECRET_KEY, data_dir: dir,
        database: db.url, client_cache_ttl: 0, ...raw,
      }), pino({ level: 'silent' }));
    };
    const cli = (...args: string[]) => ok([...args, '--config', cfgFile]);
    const token = (form: Record<string, string>, id: string, secret = SECRET) =>
      postForm(`${srv.url}/oauth2/token`, form, { authorization: basic(id, secret) });
    const cc = (id: string, secret = SECRET) => token({ grant_type: 'client_credentials' }, id, secret);
    const signIn = (id: string, username: string, password = PW) => token({ grant_type: 'password', username, password }, id);
    const refresh = (id: string, rt: string) => token({ grant_type: 'refresh_token', refresh_token: rt }, id);
    const introspect = async (t: string) => {
      const r = await postForm(`${srv.url}/oauth2/introspect`, { token: t }, { authorization: basic('rs', SECRET) });
      assert.equal(r.status, 200, r.text);
      return r.json as { active: boolean; exp?: number; iat?: number };
    };
    const active = async (t: string) => (await introspect(t)).active;
    const granted = async (p: Promise<{ status: number; json: any; text: string }>) => {
      const r = await p;
      assert.equal(r.status, 200, r.text);
      return r.json as { access_token: string; refresh_token?: string };
    };

    before(async () => {
      db = await makeDatabase(backend);
      dir = await mkdtemp(join(tmpdir(), 'tessera-sessions-'));
      cfgFile = join(dir, 'cli.yaml');
      await writeFile(cfgFile, `database: ${JSON.stringify(db.url)}\nlog_level: warn\n`);
      await start(entities);
    });
    after(async () => {
      await srv.stop();
      await db.cleanup();
      await rm(dir, { recursive: true, force: true });
    });

    it('a disabled client fails authentication as a wrong secret does; its tokens read inactive, also once enabled', async () => {
      const ccJwt = (await granted(cc('cc-jwt'))).access_token;
      const ccOpaque = (await granted(cc('cc-op'))).access_token;
      const session = await granted(signIn('cc-op', 'carol'));
      for (const t of [ccJwt, ccOpaque, session.access_token, session.refresh_token!]) assert.equal(await active(t), true);
      await nextSecond();
      await cli('client', 'disable', 'cc-jwt');
      await cli('client', 'disable', 'cc-op');

      const refused = await cc('cc-op');
      const wrongSecret = await cc('cc-op', 'not-the-secret');
      assert.equal(refused.status, 401);
      assert.equal(refused.json.error, 'invalid_client');
      assert.deepEqual(refused.json, wrongSecret.json);
      assert.equal((await signIn('cc-op', 'carol')).status, 401);
      for (const t of [ccJwt, ccOpaque, session.access_token, session.refresh_token!]) assert.equal(await active(t), false);

      await cli('client', 'enable', 'cc-jwt');
      await cli('client', 'enable', 'cc-op');
      for (const t of [ccJwt, ccOpaque, session.access_token, session.refresh_token!]) assert.equal(await active(t), false, 'stays revoked');
      const r = await refresh('cc-op', session.refresh_token!);
      assert.equal(r.status, 400);
      assert.equal(r.json.error, 'invalid_grant');
      // New tokens work again.
      assert.equal(await active((await granted(cc('cc-jwt'))).access_token), true);
      assert.equal(await active((await granted(cc('cc-op'))).access_token), true);
    });

    it('a deleted client\'s client_credentials JWTs read inactive', async () => {
      const jwt = (await granted(cc('gone'))).access_token;
      assert.equal(await active(jwt), true);
      await cli('client', 'delete', 'gone');
      assert.equal(await active(jwt), false);
    });

    it('a disabled user cannot sign in (as with a wrong password) nor refresh; its JWTs read inactive, also once enabled', async () => {
      const session = await granted(signIn('app', 'dan'));
      const bare = (await granted(signIn('noref', 'dan'))).access_token;
      assert.equal(await active(bare), true);
      await nextSecond();
      await cli('user', 'disable', 'dan');

      const refused = await signIn('app', 'dan');
      assert.equal(refused.status, 400);
      assert.deepEqual(refused.json, (await signIn('app', 'dan', 'wrong-password')).json);
      assert.equal(refused.json.error, 'invalid_grant');
      assert.equal((await refresh('app', session.refresh_token!)).json.error, 'invalid_grant');
      for (const t of [session.access_token, bare]) assert.equal(await active(t), false);

      await cli('user', 'enable', 'dan');
      for (const t of [session.access_token, bare]) assert.equal(await active(t), false, 'stays revoked');
      assert.equal(await active((await granted(signIn('noref', 'dan'))).access_token), true);
    });

    it('a deleted user\'s JWTs read inactive, with or without a refresh token', async () => {
      const session = await granted(signIn('app', 'erin'));
      const bare = (await granted(signIn('noref', 'erin'))).access_token;
      await cli('user', 'delete', 'erin');
      for (const t of [session.access_token, bare]) assert.equal(await active(t), false);
      assert.equal((await refresh('app', session.refresh_token!)).json.error, 'invalid_grant');
    });

    it('a password set with the CLI ends the sessions made with the old one; the new one works at once', async () => {
      const session = await granted(signIn('app', 'frank'));
      const bare = (await granted(signIn('noref', 'frank'))).access_token;
      await nextSecond();
      await ok(['user', 'set-password', 'frank', '--password-stdin', '--config', cfgFile], 'second-password\n');
      for (const t of [session.access_token, bare]) assert.equal(await active(t), false);
      assert.equal((await refresh('app', session.refresh_token!)).json.error, 'invalid_grant');
      const fresh = await granted(signIn('app', 'frank', 'second-password'));
      assert.equal(await active(fresh.access_token), true);
      assert.equal((await refresh('app', fresh.refresh_token!)).status, 200);
    });

    describe('refresh token lifetimes', { concurrency: true }, () => {
      it('refresh_token_idle_ttl: a token used within it works, one left unused longer expires', async () => {
        const first = await granted(signIn('idle', 'ivy'));
        const seen = await introspect(first.refresh_token!);
        assert.equal(seen.exp! - seen.iat!, 3);
        await sleep(1000);
        const second = await granted(refresh('idle', first.refresh_token!));
        await sleep(4200);
        const r = await refresh('idle', second.refresh_token!);
        assert.equal(r.status, 400);
        assert.equal(r.json.error, 'invalid_grant');
      });

      it('refresh_token_ttl counts from the original grant: rotating does not extend it', async () => {
        let rt = (await granted(signIn('abs', 'ivy'))).refresh_token!;
        const { exp } = await introspect(rt);
        for (let i = 0; i < 2; i++) {
          await sleep(1000);
          rt = (await granted(refresh('abs', rt))).refresh_token!;
          assert.equal((await introspect(rt)).exp, exp);
        }
        await sleep(2500);
        const r = await refresh('abs', rt);
        assert.equal(r.status, 400);
        assert.equal(r.json.error, 'invalid_grant');
      });
    });

    // Last: it restarts the server.
    it('the config file re-applied at start: a changed password or `disabled: true` ends sessions; an unchanged file does not', async () => {
      const gina = await granted(signIn('app', 'gina'));
      const ginaBare = (await granted(signIn('noref', 'gina'))).access_token;
      const hank = await granted(signIn('app', 'hank'));
      const offJwt = (await granted(cc('cfg-off'))).access_token;
      await nextSecond();
      await srv.stop();
      const changed = {
        clients: entities.clients.map((c) => (c.client_id === 'cfg-off' ? { ...c, disabled: true } : c)),
        users: entities.users.map((u) => (u.username === 'gina' ? { ...u, password: 'changed-in-file' } : u.username === 'hank' ? { ...u, disabled: true } : u)),
      };
      await start(changed);

      for (const t of [gina.access_token, ginaBare, hank.access_token, offJwt]) assert.equal(await active(t), false);
      assert.equal((await refresh('app', gina.refresh_token!)).json.error, 'invalid_grant');
      assert.equal((await refresh('app', hank.refresh_token!)).json.error, 'invalid_grant');
      assert.equal((await signIn('app', 'hank')).json.error, 'invalid_grant');
      assert.equal((await cc('cfg-off')).status, 401);

      // The same file again changes nothing: the sessions made since survive a restart.
      const fresh = await granted(signIn('app', 'gina', 'changed-in-file'));
      await srv.stop();
      await start(changed);
      assert.equal(await active(fresh.access_token), true);
      assert.equal((await refresh('app', fresh.refresh_token!)).status, 200);
    });
  });
}

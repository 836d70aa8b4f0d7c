// RFC 7591 dynamic registration and RFC 7592 management against the real server, as a
// client developer and as an attacker would use them: initial access tokens, the
// registration access token, the metadata rules (the config file's), expiry and the purge.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hashToken, randomToken } from '../../src/core/secrets.js';
import { purgeAll } from '../../src/ops/purge.js';
import { basic, postForm, startTestServer, type TestServer } from '../helpers/server.js';
import * as oauth from 'oauth4webapi';
import pino from 'pino';
import { BACKENDS, makeDatabase } from '../helpers/stores.js';

type Json = Record<string, any>;

const insecure = { [oauth.allowInsecureRequests]: true } as const;

async function call(url: string, method: string, opts: { token?: string; body?: unknown; type?: string } = {}) {
  const headers: Record<string, string> = {};
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = opts.type ?? 'application/json';
  const res = await fetch(url, { method, headers, ...(opts.body === undefined ? {} : { body: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) }) });
  const text = await res.text();
  let json: Json | undefined;
  try { json = JSON.parse(text) as Json; } catch { json = undefined; }
  return { status: res.status, headers: res.headers, json: json!, text };
}

const now = () => Math.floor(Date.now() / 1000);

for (const backend of BACKENDS) {
  describe(`dynamic client registration, RFC 7591/7592 (${backend})`, () => {
    let srv: TestServer;
    const reg = () => `${srv.url}/oauth2/register`;
    /** A fresh initial access token, inserted as the CLI does (hashed). */
    const initialToken = async (o: { uses?: number | null; ttl?: number } = {}) => {
      const token = randomToken(32);
      await srv.tessera.store.registrationTokens.insert({
        id: randomToken(6), hash: hashToken(token), created_at: now(), expires_at: now() + (o.ttl ?? 3600), max_uses: o.uses === undefined ? 5 : o.uses,
      });
      return token;
    };
    const register = async (body: Json, token?: string) => call(reg(), 'POST', { token: token ?? await initialToken(), body });
    const service = { client_name: 'Reports', grant_types: ['client_credentials'], scope: 'openid' };

    before(async () => {
      srv = await startTestServer(backend, {
        client_cache_ttl: 0,
        registration: { initial_access_token: 'required', client_secret_ttl: 3600, idle_ttl: 86_400, allowed_scopes: 'openid profile email offline_access' },
      });
    });
    after(async () => { await srv.close(); });

    it('registers with an initial access token: RFC 7591 §3.2.1 response, and the client gets a token', async () => {
      const r = await register(service);
      assert.equal(r.status, 201, r.text);
      assert.equal(r.headers.get('cache-control'), 'no-store');
      const c = r.json;
      assert.equal(typeof c.client_id, 'string');
      assert.equal(typeof c.client_secret, 'string');
      assert.ok(Math.abs(c.client_id_issued_at - now()) < 5);
      assert.ok(Math.abs(c.client_secret_expires_at - (now() + 3600)) < 5);
      assert.equal(typeof c.registration_access_token, 'string');
      assert.equal(c.registration_client_uri, `${srv.url}/oauth2/register/${c.client_id}`);
      assert.equal(c.client_name, 'Reports');
      assert.deepEqual(c.grant_types, ['client_credentials']);
      assert.equal(c.token_endpoint_auth_method, 'client_secret_basic');
      assert.equal(c.scope, 'openid');
      assert.deepEqual(c.response_types, []);
      for (const k of ['first_party', 'introspect', 'access_token_ttl', 'managed_by', 'client_secret_hash', 'registration_access_token_hash']) assert.equal(c[k], undefined, k);

      const tok = await postForm(`${srv.url}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: basic(c.client_id, c.client_secret) });
      assert.equal(tok.status, 200, tok.text);
      const intro = await postForm(`${srv.url}/oauth2/introspect`, { token: tok.json.access_token }, { authorization: basic(c.client_id, c.client_secret) });
      assert.equal(intro.json.active, true);

      // Nothing secret is stored in plaintext.
      const stored = (await srv.tessera.store.clients.get(c.client_id))!;
      assert.equal(stored.managed_by, 'registration');
      assert.equal(stored.registration_access_token_hash, hashToken(c.registration_access_token));
      assert.ok(!JSON.stringify(stored).includes(c.client_secret));
    });

    it('without, with a wrong, an expired or a used-up initial access token: 401 invalid_token', async () => {
      const none = await call(reg(), 'POST', { body: service });
      assert.equal(none.status, 401);
      assert.equal(none.json.error, 'invalid_token');
      assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="tessera"');
      const wrong = await register(service, 'not-a-token');
      assert.equal(wrong.status, 401);
      assert.match(wrong.headers.get('www-authenticate')!, /error="invalid_token"/);
      const expired = await register(service, await initialToken({ ttl: -10 }));
      assert.equal(expired.status, 401);
      const once = await initialToken({ uses: 1 });
      // A refused request does not use it up...
      assert.equal((await register({ ...service, grant_types: ['password'] }, once)).status, 400);
      assert.equal((await register(service, once)).status, 201);
      // ...a registration does.
      const again = await register(service, once);
      assert.equal(again.status, 401);
      assert.equal(again.json.error, 'invalid_token');
      // Basic credentials are not a registration token.
      const b = await fetch(reg(), { method: 'POST', headers: { 'content-type': 'application/json', authorization: basic('x', 'y') }, body: '{}' });
      assert.equal(b.status, 401);
    });

    it('two registrations racing for the last use of a token: exactly one wins', async () => {
      const last = await initialToken({ uses: 1 });
      const rs = await Promise.all(Array.from({ length: 6 }, () => register(service, last)));
      assert.deepEqual(rs.map((r) => r.status).sort(), [201, 401, 401, 401, 401, 401]);
    });

    it('metadata is checked by the config rules: bad redirect URIs, the password grant, privileged fields', async () => {
      const web = { grant_types: ['authorization_code', 'refresh_token'], redirect_uris: ['https://app.example/cb'] };
      for (const uri of ['javascript:alert(1)', 'http://evil.example/cb', 'https://app.example/cb#frag', 'not a uri', 'data:text/html,x']) {
        const r = await register({ ...web, redirect_uris: [uri] });
        assert.equal(r.status, 400, uri);
        assert.equal(r.json.error, 'invalid_redirect_uri', uri);
      }
      const noUris = await register({ grant_types: ['authorization_code'] });
      assert.equal(noUris.json.error, 'invalid_redirect_uri');
      for (const [body, message] of [
        [{ ...service, grant_types: ['password'] }, /password grant is not available/],
        [{ ...service, first_party: true }, /first_party cannot be set by dynamic registration/],
        [{ ...service, introspect: 'all' }, /introspect cannot be set/],
        [{ ...service, access_token_ttl: 999999 }, /access_token_ttl cannot be set/],
        [{ ...service, allow_plain_pkce: true }, /allow_plain_pkce cannot be set/],
        [{ ...service, scope: 'openid admin' }, /scope 'admin' is not available/],
        [{ ...service, token_endpoint_auth_method: 'none' }, /public client may only use authorization_code and refresh_token/],
        [{ ...service, grant_types: ['implicit'] }, /unknown grant type 'implicit'/],
        [{ ...web, response_types: ['token'] }, /only 'code' is supported/],
        [{ ...web, logo_uri: 'http://evil.example/x.png' }, /logo_uri: must be an https URL/],
        [{ ...web, id_token_signed_response_alg: 'none' }, /id_token_signed_response_alg: must be one of RS256, ES256/],
        [{ ...web, client_name: 'x'.repeat(2049) }, /client_name: must be at most 2048 characters/],
        [{ ...web, post_logout_redirect_uris: Array.from({ length: 51 }, (_, i) => `https://app.example/${i}`) }, /post_logout_redirect_uris: must have at most 50 entries/],
      ] as const) {
        const r = await register(body);
        assert.equal(r.status, 400, JSON.stringify(body));
        assert.equal(r.json.error, 'invalid_client_metadata', JSON.stringify(body));
        assert.match(r.json.error_description, message);
      }
      // RFC 7591 §2: metadata it does not understand is ignored.
      const extra = await register({ ...service, contacts: ['ops@example.org'], software_id: 'x', client_id: 'chosen', client_secret: 'chosen' });
      assert.equal(extra.status, 201, extra.text);
      assert.notEqual(extra.json.client_id, 'chosen');
      assert.notEqual(extra.json.client_secret, 'chosen');
      assert.equal(extra.json.contacts, undefined);
    });

    it('a public client gets the code flow only, no secret', async () => {
      const r = await register({ token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'], redirect_uris: ['http://127.0.0.1/cb', 'com.example.app:/cb'], client_name: 'App' });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json.client_secret, undefined);
      assert.equal(r.json.client_secret_expires_at, undefined);
      assert.deepEqual(r.json.response_types, ['code']);
      assert.deepEqual(r.json.redirect_uris, ['http://127.0.0.1/cb', 'com.example.app:/cb']);
      const stored = (await srv.tessera.store.clients.get(r.json.client_id))!;
      assert.equal(stored.allow_plain_pkce, false);
      assert.equal(stored.first_party, false);
      // The defaults of RFC 7591 §2: authorization_code and client_secret_basic.
      const d = await register({ redirect_uris: ['https://app.example/cb'] });
      assert.deepEqual(d.json.grant_types, ['authorization_code']);
      assert.equal(d.json.token_endpoint_auth_method, 'client_secret_basic');
      assert.equal(d.json.scope, 'openid profile email offline_access');
    });

    it('JSON only: a form body is 415, a malformed one 400', async () => {
      const form = await call(reg(), 'POST', { token: await initialToken(), body: 'client_name=x', type: 'application/x-www-form-urlencoded' });
      assert.equal(form.status, 415);
      assert.equal(form.json.error, 'invalid_request');
      const none = await call(reg(), 'POST', { token: await initialToken() });
      assert.equal(none.status, 415);
      for (const body of ['{', '[1]', '"x"', '{"client_name":"a\\u0000b"}']) {
        const r = await call(reg(), 'POST', { token: await initialToken(), body });
        assert.equal(r.status, 400, body);
        assert.equal(r.json.error, 'invalid_request');
      }
    });

    it('RFC 7592: read, update and delete with the registration access token', async () => {
      const c = (await register({ ...service, client_name: 'Before' })).json;
      const uri = c.registration_client_uri as string;
      const read = await call(uri, 'GET', { token: c.registration_access_token });
      assert.equal(read.status, 200);
      assert.equal(read.headers.get('cache-control'), 'no-store');
      assert.equal(read.json.client_name, 'Before');
      assert.equal(read.json.client_secret, undefined, 'the secret is shown once');
      assert.equal(read.json.client_secret_expires_at, c.client_secret_expires_at);
      assert.equal(read.json.registration_access_token, c.registration_access_token);

      const update = { client_id: c.client_id, client_name: 'After', grant_types: ['client_credentials'], scope: 'openid profile', client_uri: 'https://reports.example' };
      const put = await call(uri, 'PUT', { token: c.registration_access_token, body: update });
      assert.equal(put.status, 200, put.text);
      assert.equal(put.json.client_name, 'After');
      assert.equal(put.json.client_uri, 'https://reports.example');
      assert.equal(put.json.client_secret_expires_at, c.client_secret_expires_at);
      // The secret is kept.
      const tok = await postForm(`${srv.url}/oauth2/token`, { grant_type: 'client_credentials', scope: 'profile' }, { authorization: basic(c.client_id, c.client_secret) });
      assert.equal(tok.status, 200, tok.text);

      for (const [body, error] of [
        [{ ...update, client_id: undefined }, 'invalid_request'],
        [{ ...update, client_id: 'other' }, 'invalid_request'],
        [{ ...update, client_secret_expires_at: 0 }, 'invalid_request'],
        [{ ...update, registration_access_token: 'x' }, 'invalid_request'],
        [{ ...update, client_secret: 'wrong-secret' }, 'invalid_request'],
        [{ ...update, token_endpoint_auth_method: 'none', grant_types: ['refresh_token'] }, 'invalid_client_metadata'],
        [{ ...update, first_party: true }, 'invalid_client_metadata'],
      ] as const) {
        const r = await call(uri, 'PUT', { token: c.registration_access_token, body });
        assert.equal(r.status, 400, JSON.stringify(body));
        assert.equal(r.json.error, error, JSON.stringify(body));
      }
      assert.equal((await call(uri, 'PUT', { token: c.registration_access_token, body: { ...update, client_secret: c.client_secret } })).status, 200);

      const del = await call(uri, 'DELETE', { token: c.registration_access_token });
      assert.equal(del.status, 204);
      assert.equal((await call(uri, 'GET', { token: c.registration_access_token })).status, 401);
      const gone = await postForm(`${srv.url}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: basic(c.client_id, c.client_secret) });
      assert.equal(gone.status, 401);
      assert.equal(gone.json.error, 'invalid_client');
      // Its tokens went with it.
      const intro = await postForm(`${srv.url}/oauth2/introspect`, { token: tok.json.access_token }, { authorization: basic(c.client_id, c.client_secret) });
      assert.equal(intro.status, 401);
    });

    it('a wrong or another client\'s registration access token: 401, the same as for a client that does not exist', async () => {
      const a = (await register(service)).json;
      const b = (await register(service)).json;
      const other = await call(`${reg()}/${a.client_id}`, 'GET', { token: b.registration_access_token });
      const missing = await call(`${reg()}/no-such-client`, 'GET', { token: b.registration_access_token });
      const wrong = await call(`${reg()}/${a.client_id}`, 'GET', { token: 'guess' });
      const noToken = await call(`${reg()}/${a.client_id}`, 'GET');
      for (const r of [other, missing, wrong]) {
        assert.equal(r.status, 401);
        assert.equal(r.text, missing.text);
        assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="tessera", error="invalid_token"');
      }
      assert.equal(noToken.status, 401);
      assert.equal(noToken.headers.get('www-authenticate'), 'Bearer realm="tessera"');
      for (const method of ['PUT', 'DELETE']) {
        const r = await call(`${reg()}/${a.client_id}`, method, { token: b.registration_access_token, ...(method === 'PUT' ? { body: { client_id: a.client_id } } : {}) });
        assert.equal(r.status, 401, method);
      }
      assert.ok(await srv.tessera.store.clients.get(a.client_id), 'still there');
      // An operator's client has no registration access token at all.
      await srv.tessera.store.clients.upsert({ ...(await srv.tessera.store.clients.get(a.client_id))!, client_id: 'operator', managed_by: null, registration_access_token_hash: null });
      assert.equal((await call(`${reg()}/operator`, 'GET', { token: b.registration_access_token })).status, 401);
      assert.equal((await call(reg(), 'PATCH', { token: b.registration_access_token, body: {} })).status, 405);
    });

    it('an expired secret fails client authentication with invalid_client; the purge removes the client', async () => {
      const c = (await register(service)).json;
      const store = srv.tessera.store;
      await store.clients.upsert({ ...(await store.clients.get(c.client_id))!, client_secret_expires_at: now() - 1 });
      const r = await postForm(`${srv.url}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: basic(c.client_id, c.client_secret) });
      assert.equal(r.status, 401);
      assert.equal(r.json.error, 'invalid_client');
      const p = await purgeAll({ tokens: store.tokens, registrations: { clients: store.clients, tokens: store.registrationTokens, idleTtl: 86_400 } }, now(), { batch: 2, pauseMs: 1 });
      assert.ok(p.registrations >= 1);
      assert.equal(await store.clients.get(c.client_id), null);
    });

    it('idle expiry: use is noted at most hourly; a client unused for idle_ttl is purged with its tokens, others stay', async () => {
      const store = srv.tessera.store;
      const idle = (await register(service)).json;
      const busy = (await register(service)).json;
      const operator = { client_id: 'op-old', client_secret: 'op-secret-0123456789-abcdefghijklmnop' };
      // Both were last used two days ago (an operator's client never expires).
      await store.clients.touch(idle.client_id, now() - 2 * 86_400);
      await store.clients.touch(busy.client_id, now() - 2 * 86_400);
      await store.clients.upsert({ ...(await store.clients.get(idle.client_id))!, ...{ client_id: operator.client_id, managed_by: null, registration_access_token_hash: null, client_secret_expires_at: null } });
      await store.clients.touch(operator.client_id, now() - 9 * 86_400);
      const idleToken = (await postForm(`${srv.url}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: basic(idle.client_id, idle.client_secret) })).json.access_token as string;
      // The write is not awaited by the request: wait for it to land.
      const noted = async (id: string) => {
        for (let i = 0; i < 100 && ((await store.clients.get(id))!.last_used_at ?? 0) < now() - 60; i++) await new Promise((res) => setTimeout(res, 20));
        return (await store.clients.get(id))!.last_used_at!;
      };
      // The token request above counted as a use of `idle`: age it again. `busy` is used now.
      assert.ok(await noted(idle.client_id) >= now() - 60);
      await store.clients.touch(idle.client_id, now() - 2 * 86_400);
      const used = await postForm(`${srv.url}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: basic(busy.client_id, busy.client_secret) });
      assert.equal(used.status, 200);
      const seen = await noted(busy.client_id);
      assert.ok(seen >= now() - 60, 'the use was noted');
      // Within the hour of the last noted use, a use writes nothing.
      const halfHourAgo = now() - 1800;
      await store.clients.touch(busy.client_id, halfHourAgo);
      await postForm(`${srv.url}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: basic(busy.client_id, busy.client_secret) });
      await new Promise((res) => setTimeout(res, 200));
      assert.equal((await store.clients.get(busy.client_id))!.last_used_at, halfHourAgo);

      await purgeAll({ tokens: store.tokens, registrations: { clients: store.clients, tokens: store.registrationTokens, idleTtl: 86_400 } }, now(), { batch: 10, pauseMs: 1 });
      assert.equal(await store.clients.get(idle.client_id), null);
      assert.ok(await store.clients.get(busy.client_id));
      assert.ok(await store.clients.get(operator.client_id));
      assert.equal(await store.tokens.findAccess(idleToken), null);
    });

    it('expired initial access tokens are purged', async () => {
      const store = srv.tessera.store;
      await initialToken({ ttl: -120 });
      const live = await initialToken();
      await purgeAll({ tokens: store.tokens, registrations: { clients: store.clients, tokens: store.registrationTokens, idleTtl: 0 } }, now() - 60, { batch: 10, pauseMs: 1 });
      const left = await store.registrationTokens.list();
      assert.ok(left.every((t) => t.expires_at >= now() - 60));
      assert.ok(await store.registrationTokens.find(hashToken(live), now()));
    });

    it('discovery names the registration endpoint; a certified client (oauth4webapi) registers and gets a token', async () => {
      const issuer = new URL(srv.url);
      const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
      assert.equal(as.registration_endpoint, `${srv.url}/oauth2/register`);
      const res = await oauth.dynamicClientRegistrationRequest(as, { client_name: 'oauth4webapi', grant_types: ['client_credentials'], scope: 'openid' }, { initialAccessToken: await initialToken(), ...insecure });
      const client = await oauth.processDynamicClientRegistrationResponse(res);
      assert.equal(typeof client.client_secret, 'string');
      const tr = await oauth.processClientCredentialsResponse(as, client,
        await oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretBasic(client.client_secret as string), {}, insecure));
      assert.equal(tr.token_type, 'bearer');
      assert.equal(tr.scope, 'openid');
    });
  });

  describe(`dynamic client registration settings (${backend})`, () => {
    it('off by default: 403 access_denied, and discovery does not name it', async () => {
      const srv = await startTestServer(backend);
      try {
        const r = await call(`${srv.url}/oauth2/register`, 'POST', { body: { grant_types: ['client_credentials'] } });
        assert.equal(r.status, 403);
        assert.equal(r.json.error, 'access_denied');
        assert.match(r.json.error_description, /not enabled/);
        assert.equal((await call(`${srv.url}/oauth2/register/x`, 'GET', { token: 'x' })).status, 403);
        const doc = (await (await fetch(`${srv.url}/.well-known/openid-configuration`)).json()) as Json;
        assert.equal(doc.registration_endpoint, undefined);
      } finally { await srv.close(); }
    });

    it('opened explicitly: anyone may register, within the same rules; a restart keeps registered clients, without a warning', async () => {
      const db = await makeDatabase(backend);
      const lines: string[] = [];
      const log = pino({ level: 'info' }, { write: (l: string) => { lines.push(l); } });
      const cfg = { registration: { initial_access_token: 'open', client_secret_ttl: 0 }, clients: [{ client_id: 'op', client_secret: 'op-secret-0123456789-abcdefghijklmnop' }] };
      let id = '';
      const first = await startTestServer(backend, cfg, { db });
      try {
        const r = await call(`${first.url}/oauth2/register`, 'POST', { body: { grant_types: ['client_credentials'], scope: 'openid' } });
        assert.equal(r.status, 201, r.text);
        assert.equal(r.json.client_secret_expires_at, 0, '0: never expires');
        id = r.json.client_id as string;
        const bad = await call(`${first.url}/oauth2/register`, 'POST', { body: { grant_types: ['password'] } });
        assert.equal(bad.json.error, 'invalid_client_metadata');
        assert.equal((await first.tessera.store.clients.get(id))!.client_secret_expires_at, null);
      } finally { await first.close(); }
      const second = await startTestServer(backend, cfg, { db, log });
      try {
        assert.equal((await second.tessera.store.clients.get(id))?.managed_by, 'registration');
        assert.ok(!lines.some((l) => l.includes(id)), 'the start says nothing about registered clients');
      } finally { await second.close(); await db.cleanup(); }
    });
  });
}

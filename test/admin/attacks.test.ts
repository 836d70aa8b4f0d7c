// The admin API as an attacker meets it: no token, a forged or expired one, a token of a
// non-admin client, an admin token whose client was disabled, huge or broken bodies,
// traversal in ids, and attempts to read secrets back.
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT, generateKeyPair } from 'jose';
import { basic as basicAuth, postForm, startTestServer, type TestServer } from '../helpers/server.js';
import { BACKENDS } from '../helpers/stores.js';
import { PASSWORDS, SECRETS, standardConfig } from '../http/fixtures.js';
import { admin, assertProblem, call, clientToken } from './helpers.js';

const OPS = 'ops-secret-0123456789abcdefghijklmnopqrstuvw';
const config = {
  ...standardConfig,
  clients: [
    ...standardConfig.clients,
    // An operator's automation client, and one that could ask for the scope but did not.
    { client_id: 'ops', client_secret: OPS, grant_types: ['client_credentials'], scope: 'read tessera:admin', access_token_ttl: 3 },
    { client_id: 'ops2', client_secret: OPS, grant_types: ['client_credentials'], scope: 'read tessera:admin' },
    { client_id: 'root', client_secret: OPS, grant_types: ['client_credentials'], scope: 'tessera:admin' },
    // A console-like client: a user's token carries the scope (the user is the actor).
    { client_id: 'console', client_secret: OPS, grant_types: ['password'], scope: 'tessera:admin' },
  ],
};

/** A raw request line, as a client that does not normalise the path would send it. */
function rawGet(base: string, path: string, token: string): Promise<{ status: number; body: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method: 'GET', headers: { authorization: `Bearer ${token}` } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += String(c); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

for (const backend of BACKENDS) {
  describe(`admin API under attack (${backend})`, () => {
    let srv: TestServer;
    let api: Awaited<ReturnType<typeof admin>>;
    before(async () => {
      srv = await startTestServer(backend, config);
      // An admin client in the config: no bootstrap client is made then.
      assert.equal(srv.tessera.bootstrap, null);
      api = await admin(srv, { client_id: 'root', client_secret: OPS });
    });
    after(async () => { await srv.close(); });
    const adminUrl = () => srv.adminUrl!;

    it('no token: 401 problem+json with a Bearer challenge and no error code', async () => {
      const r = await call(adminUrl(), 'GET', '/admin/clients');
      assertProblem(r, 401, 'unauthorized', '/admin/clients');
      assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="tessera-admin"');
      assert.deepEqual(r.json, {
        type: 'urn:tessera:problem:unauthorized', title: 'Unauthorized', status: 401,
        detail: 'send an access token with the tessera:admin scope: Authorization: Bearer <token>', instance: '/admin/clients',
      });
      assert.equal(r.headers.get('cache-control'), 'no-store');
      const missing = await api.call('GET', '/admin/users/no-such-id');
      assert.deepEqual(missing.json, {
        type: 'urn:tessera:problem:not-found', title: 'Not found', status: 404, detail: 'no user "no-such-id"', instance: '/admin/users/no-such-id',
      });
    });

    it('garbage, forged, refresh and wrong-scheme credentials: 401 invalid_token', async () => {
      const { privateKey } = await generateKeyPair('ES256');
      const forged = await new SignJWT({ scope: 'tessera:admin', client_id: 'tessera-admin', jti: 'x' })
        .setProtectedHeader({ alg: 'ES256', kid: (await api.call('GET', '/admin/keys')).json.items[0].kid })
        .setIssuer(srv.tessera.config.issuer).setIssuedAt().setExpirationTime('1h').sign(privateKey);
      for (const token of ['garbage', forged, `${api.token}x`]) {
        const r = await call(adminUrl(), 'GET', '/admin/clients', { token });
        assertProblem(r, 401, 'unauthorized');
        assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer realm="tessera-admin", error="invalid_token"/);
      }
      const basic = await call(adminUrl(), 'GET', '/admin/clients', { headers: { authorization: `Basic ${Buffer.from(`ops:${OPS}`).toString('base64')}` } });
      assertProblem(basic, 401, 'unauthorized');
      assert.match(basic.headers.get('www-authenticate') ?? '', /error="invalid_request"/);
    });

    it('a token of a client without the scope (or that did not ask for it): 403 insufficient_scope', async () => {
      for (const token of [await clientToken(srv, 'svc', SECRETS.svc), await clientToken(srv, 'ops2', OPS, 'read')]) {
        const r = await call(adminUrl(), 'POST', '/admin/clients', { token, body: { client_id: 'evil', scope: 'tessera:admin' } });
        assertProblem(r, 403, 'forbidden');
        assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="tessera-admin", error="insufficient_scope", scope="tessera:admin"');
      }
      assertProblem(await api.call('GET', '/admin/clients/evil'), 404, 'not-found');
    });

    it('an expired admin token: 401', async () => {
      const token = await clientToken(srv, 'ops', OPS, 'tessera:admin');
      assert.equal((await call(adminUrl(), 'GET', '/admin/keys', { token })).status, 200);
      // Its lifetime is 3 s; the inspector allows no leeway on exp.
      await new Promise((r) => setTimeout(r, 4000));
      assertProblem(await call(adminUrl(), 'GET', '/admin/keys', { token }), 401, 'unauthorized');
    });

    it('an admin token of a client disabled since: 401 at once', async () => {
      const token = await clientToken(srv, 'ops2', OPS, 'tessera:admin');
      assert.equal((await call(adminUrl(), 'GET', '/admin/keys', { token })).status, 200);
      assert.equal((await api.call('POST', '/admin/clients/ops2/disable')).status, 200);
      assertProblem(await call(adminUrl(), 'GET', '/admin/keys', { token }), 401, 'unauthorized');
    });

    it('a user\'s admin token needs the user to hold the tessera:admin role; the audit names the user; disabling the user ends its access', async () => {
      const ask = () => postForm(`${srv.url}/oauth2/token`, { grant_type: 'password', username: 'bob', password: PASSWORDS.bob, scope: 'tessera:admin' }, { authorization: basicAuth('console', OPS) });
      // A client allowed the admin scope does not make every user an admin.
      const refused = await ask();
      assert.equal(refused.status, 400, refused.text);
      assert.equal(refused.json.error, 'invalid_scope');
      const bob = (await api.call('GET', '/admin/users?q=bob')).json.items[0];
      assert.equal((await api.call('PATCH', `/admin/users/${bob.id}`, { roles: ['tessera:admin'] })).status, 200);
      const r = await ask();
      assert.equal(r.status, 200, r.text);
      const token = r.json.access_token as string;
      const made = await call(adminUrl(), 'POST', '/admin/participants', { token, body: { participant_code: 'by-bob' } });
      assert.equal(made.status, 201, made.text);
      const entry = (await api.call('GET', '/admin/audit?limit=1')).json.items[0];
      assert.deepEqual([entry.action, entry.actor_client_id, entry.actor_user_id], ['participant.create', 'console', bob.id]);
      await api.call('POST', `/admin/users/${bob.id}/disable`);
      assertProblem(await call(adminUrl(), 'GET', '/admin/keys', { token }), 401, 'unauthorized');
      await api.call('POST', `/admin/users/${bob.id}/enable`);
    });

    it('huge, invalid, mistyped and unknown-field bodies: 4xx problems, never 500', async () => {
      const big = await call(adminUrl(), 'POST', '/admin/clients', { token: api.token, raw: JSON.stringify({ client_id: 'big', client_name: 'x'.repeat(70 * 1024) }) });
      assertProblem(big, 413, 'payload-too-large');
      assertProblem(await call(adminUrl(), 'POST', '/admin/clients', { token: api.token, raw: '{"client_id": ' }), 400, 'invalid-request');
      assertProblem(await call(adminUrl(), 'POST', '/admin/clients', { token: api.token, raw: '{"__proto__": {"x": 1}}' }), 400, 'invalid-request');
      assertProblem(await call(adminUrl(), 'POST', '/admin/clients', { token: api.token, raw: 'client_id=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported-media-type');
      const many = await api.call('POST', '/admin/clients', { client_id: 'x', grant_types: ['nope'], access_token_ttl: -5, secret: 'mine', client_secret: 'mine' });
      assertProblem(many, 400, 'validation');
      const pointers = many.json.errors.map((e: { pointer: string }) => e.pointer).sort();
      assert.deepEqual(pointers, ['/access_token_ttl', '/client_secret', '/grant_types/0', '/secret']);
      for (const e of many.json.errors) assert.equal(typeof e.detail, 'string');
      const semantic = await api.call('POST', '/admin/clients', { client_id: 'x', grant_types: ['authorization_code'] });
      assertProblem(semantic, 400, 'validation');
      assert.deepEqual(semantic.json.errors, [{ pointer: '/redirect_uris', detail: 'is required for the authorization_code grant (RFC 6749 §3.1.2.2)' }]);
      assertProblem(await api.call('PATCH', '/admin/clients/svc', {}), 400, 'validation');
      // A POST without a body where one is optional is fine; a JSON null is not an object.
      assert.equal((await call(adminUrl(), 'POST', '/admin/keys/rotate', { token: api.token })).status, 201);
      assertProblem(await call(adminUrl(), 'POST', '/admin/keys/rotate', { token: api.token, raw: 'null' }), 400, 'validation');
      assertProblem(await api.call('PUT', '/admin/users/x/password', { password: '' }), 400, 'validation');
      // The password policy (core/credential-policy.ts), as in the CLI.
      const weak = await api.call('POST', '/admin/users', { username: 'weak-pw', password: 'short' });
      assertProblem(weak, 400, 'validation');
      assert.deepEqual(weak.json.errors, [{ pointer: '/password', detail: 'the password is 5 characters; the password policy asks for at least 15 (credential_policy.password_min_length)' }]);
      assertProblem(await api.call('POST', '/admin/users', { username: 'u', password: 'p', password_hash: '$argon2id$forged' }), 400, 'validation');
    });

    it('ids with traversal or odd characters are looked up literally: 404', async () => {
      // (A client normalises /admin/clients/%2e%2e to /admin/ itself (WHATWG URL): the console's
      // dashboard, which sends a browser without a console session to sign in.)
      const dotted = await fetch(`${adminUrl()}/admin/clients/%2e%2e`, { headers: { authorization: `Bearer ${api.token}` }, redirect: 'manual' });
      assert.equal(dotted.status, 303);
      assert.equal(dotted.headers.get('location'), '/admin/login');
      for (const path of ['/admin/clients/..%2F..%2Fusers', '/admin/clients/%2E%2E%2Fx', '/admin/users/..%2Fclients%2Fsvc', '/admin/keys/..%2F..%2Fclients/retire']) {
        const r = await call(adminUrl(), path.endsWith('retire') ? 'POST' : 'GET', path, { token: api.token });
        assert.equal(r.status, 404, `${path}: ${r.text}`);
        assert.equal(r.headers.get('content-type'), 'application/problem+json');
      }
      // Control characters (NUL, which PostgreSQL text cannot hold) are refused, in ids and bodies.
      assertProblem(await api.call('GET', '/admin/participants/%00'), 400, 'validation');
      assertProblem(await api.call('GET', '/admin/users/a%0Ab'), 400, 'validation');
      assertProblem(await api.call('POST', '/admin/clients', { client_id: 'nul', client_name: 'a\u0000b' }), 400, 'validation');
      assertProblem(await api.call('POST', '/admin/users', { username: 'a\u0000', password: 'p' }), 400, 'validation');
      const raw = await rawGet(adminUrl(), '/admin/clients/../users', api.token);
      assert.ok(raw.status === 404 || raw.status === 400, `${raw.status} ${raw.body}`);
      assert.doesNotMatch(raw.body, /password|username/);
    });

    it('no route gives a secret back: lists, reads, OpenAPI and audit never hold one', async () => {
      const texts = await Promise.all(['/admin/clients?limit=100', '/admin/clients/svc', '/admin/users?limit=100', '/admin/keys', '/admin/audit?limit=100', '/admin/openapi.json']
        .map(async (p) => (await api.call('GET', p)).text));
      for (const t of texts) {
        assert.doesNotMatch(t, /secret_hash|password_hash|private_jwk|\$argon2|"client_secret":"/);
        assert.ok(!t.includes(SECRETS.svc) && !t.includes(OPS));
      }
    });

    it('the public listener has no admin routes, and unknown admin paths are problem 404s', async () => {
      assert.equal((await fetch(`${srv.url}/admin/clients`, { headers: { authorization: `Bearer ${api.token}` } })).status, 404);
      assertProblem(await api.call('GET', '/admin/nothing-here'), 404, 'not-found');
    });
  });
}

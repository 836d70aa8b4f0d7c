// Dialect `o` (Django-OAuth-Toolkit, seeds/001): the document's curl samples run literally
// against an HTTPS server (only the host filled in), plus in-process checks of the same
// endpoints, revocation, introspection and refresh rotation.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, customFetch, jwtVerify } from 'jose';
import { basic, pastRaceWindow } from '../helpers/server.js';
import { BACKENDS } from '../helpers/stores.js';
import { curl, curlLine, devSection, read, shell, startTlsServer, type TlsServer } from './helpers.js';
import { fill as fillIn, O_GENERATE as GENERATE, O_REFRESH as REFRESH } from './samples.js';

const SECRET = 'dot-secret-0123456789abcdefghijklmnopqrstu';
const RS_SECRET = 'rs-secret-0123456789abcdefghijklmnopqrstuv';
const PASSWORD = 'alice-password-1';
const FIELDS = ['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type'];

const config = {
  dialects: ['o'],
  clients: [
    // No access_token_format: an `o` client gets opaque tokens, as DOT issues them.
    // `introspection` is registered, but a user's token never carries it (client-only scope).
    { client_id: 'dot', client_secret: SECRET, grant_types: ['password', 'refresh_token', 'client_credentials'], scope: 'read write introspection', profile: 'o' },
    { client_id: 'dotjwt', client_secret: SECRET, grant_types: ['password', 'refresh_token'], scope: 'read', profile: 'o', access_token_format: 'jwt' },
    // A resource server in front of every DOT client: checks tokens with its own,
    // `introspection`-scoped one; `introspect: all` is the operator's explicit grant of that.
    { client_id: 'rs', client_secret: RS_SECRET, grant_types: ['client_credentials'], scope: 'introspection', profile: 'o', introspect: 'all' },
    // Holds the introspection scope but is entitled only to its own tokens.
    { client_id: 'rs-own', client_secret: RS_SECRET, grant_types: ['client_credentials'], scope: 'introspection', profile: 'o' },
    { client_id: 'plain', client_secret: RS_SECRET, grant_types: ['client_credentials'], scope: 'read', profile: 'o' },
  ],
  users: [{ username: 'alice', password: PASSWORD }],
};

for (const backend of BACKENDS) {
  describe(`dialect o: /o/token/ (${backend})`, () => {
    let srv: TlsServer;
    let env: Record<string, string>;
    const fill = (tpl: string, v: Record<string, string>) => fillIn(tpl, { ENV: new URL(srv.url).host, ...v });
    const post = (path: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
      srv.fetch(`${srv.url}${path}`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(form).toString(),
      }).then(read);
    const passwordToken = async (client = 'dot') =>
      (await post('/o/token/', { grant_type: 'password', username: 'alice', password: PASSWORD }, { authorization: basic(client, SECRET) })).json;

    before(async () => {
      srv = await startTlsServer(backend, config);
      // Trust the self-signed certificate without changing the documented command.
      env = { CURL_CA_BUNDLE: srv.caFile };
    });
    after(async () => { await srv.close(); });

    it('document sample 1.1 (curl, password grant, Basic from the URL): the documented fields', async () => {
      const r = await curl(fill(GENERATE, { USERNAME: 'alice', PASSWORD, CLIENT_ID: 'dot', CLIENT_SECRET: SECRET }), env);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(Object.keys(r.json), FIELDS);
      assert.equal(typeof r.json.access_token, 'string');
      assert.equal(typeof r.json.refresh_token, 'string');
      assert.equal(r.json.expires_in, 3600);
      assert.equal(r.json.scope, 'read write');
      assert.equal(r.json.token_type, 'Bearer');
      assert.equal(r.headers['cache-control'], 'no-store');
      assert.match(r.headers['content-type']!, /^application\/json/);
      // Opaque, like DOT's: no dots, nothing to decode.
      assert.match(r.json.access_token, /^[A-Za-z0-9_-]{30,}$/);
    });

    it('document sample 2.1 (curl, refresh): new pair; the old refresh token is then refused and its family revoked', async () => {
      const first = await curl(fill(GENERATE, { USERNAME: 'alice', PASSWORD, CLIENT_ID: 'dot', CLIENT_SECRET: SECRET }), env);
      const refresh = fill(REFRESH, { REFRESH_TOKEN: first.json.refresh_token, CLIENT_ID: 'dot', CLIENT_SECRET: SECRET });
      const second = await curl(refresh, env);
      assert.equal(second.status, 200, second.text);
      assert.deepEqual(Object.keys(second.json), FIELDS);
      assert.notEqual(second.json.refresh_token, first.json.refresh_token);
      assert.notEqual(second.json.access_token, first.json.access_token);
      // Reuse of the rotated token: refused, and every token of the family dies (RFC 9700 §4.14.2).
      // (Presented within the race window it would be taken for a concurrent request.)
      await pastRaceWindow();
      const reuse = await curl(refresh, env);
      assert.equal(reuse.status, 400);
      assert.equal(reuse.json.error, 'invalid_grant');
      const after = await post('/o/token/', { grant_type: 'refresh_token', refresh_token: second.json.refresh_token }, { authorization: basic('dot', SECRET) });
      assert.equal(after.status, 400);
      assert.equal(after.json.error, 'invalid_grant');
      const check = await post('/o/introspect/', { token: second.json.access_token }, { authorization: basic('rs', RS_SECRET) });
      assert.deepEqual(check.json, { active: false });
    });

    it('bad username or password: 400 with exactly the documented body', async () => {
      for (const [username, password] of [['alice', 'wrong'], ['nobody', PASSWORD]]) {
        const r = await curl(fill(GENERATE, { USERNAME: username!, PASSWORD: password!, CLIENT_ID: 'dot', CLIENT_SECRET: SECRET }), env);
        assert.equal(r.status, 400);
        assert.deepEqual(r.json, { error: 'invalid_grant', error_description: 'Invalid credentials given.' });
        assert.equal(r.headers['cache-control'], 'no-store');
      }
    });

    it('client credentials in the body (form and JSON, as the table lists), and client_credentials grant', async () => {
      const form = await post('/o/token/', { grant_type: 'password', username: 'alice', password: PASSWORD, client_id: 'dot', client_secret: SECRET });
      assert.equal(form.status, 200, form.text);
      assert.deepEqual(Object.keys(form.json), FIELDS);
      const json = await read(await srv.fetch(`${srv.url}/o/token/`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'password', username: 'alice', password: PASSWORD, client_id: 'dot', client_secret: SECRET, scope: 'read' }),
      }));
      assert.equal(json.status, 200, json.text);
      assert.equal(json.json.scope, 'read');
      const cc = await post('/o/token/', { grant_type: 'client_credentials' }, { authorization: basic('dot', SECRET) });
      assert.equal(cc.status, 200);
      assert.deepEqual(Object.keys(cc.json), ['access_token', 'expires_in', 'scope', 'token_type']);
    });

    it('other errors keep their RFC 6749 §5.2 bodies: a wrong client secret is 401 invalid_client', async () => {
      const r = await curl(fill(GENERATE, { USERNAME: 'alice', PASSWORD, CLIENT_ID: 'dot', CLIENT_SECRET: 'nope' }), env);
      assert.equal(r.status, 401);
      assert.equal(r.json.error, 'invalid_client');
      assert.match(r.headers['www-authenticate']!, /^Basic /);
      const get = await read(await srv.fetch(`${srv.url}/o/token/`));
      assert.equal(get.status, 405);
      assert.equal(get.headers.allow, 'POST');
    });

    it('a JWT-format `o` client: the token verifies against the JWKS', async () => {
      const tr = await passwordToken('dotjwt');
      const jwks = createRemoteJWKSet(new URL(`${srv.url}/.well-known/jwks.json`), { [customFetch]: srv.fetch as never });
      const { payload } = await jwtVerify(tr.access_token, jwks, { issuer: srv.url });
      assert.equal(payload.client_id, 'dotjwt');
      assert.equal(payload.scope, 'read');
    });

    it('POST /o/introspect/ with client credentials: DOT fields (active, scope, exp, client_id, username)', async () => {
      const tr = await passwordToken();
      const r = await post('/o/introspect/', { token: tr.access_token }, { authorization: basic('rs', RS_SECRET) });
      assert.equal(r.status, 200);
      assert.equal(r.headers['cache-control'], 'no-store');
      assert.equal(r.json.active, true);
      assert.equal(r.json.scope, 'read write');
      assert.equal(r.json.client_id, 'dot');
      assert.equal(r.json.username, 'alice');
      assert.equal(typeof r.json.exp, 'number');
      const unknown = await post('/o/introspect/', { token: 'not-a-token' }, { authorization: basic('rs', RS_SECRET) });
      assert.deepEqual(unknown.json, { active: false });
      const noAuth = await post('/o/introspect/', { token: tr.access_token });
      assert.equal(noAuth.status, 401);
      // Another confidential client learns nothing about dot's tokens: exactly the unknown-token answer.
      for (const token of [tr.access_token, tr.refresh_token]) {
        const other = await post('/o/introspect/', { token }, { authorization: basic('plain', RS_SECRET) });
        assert.equal(other.status, 200);
        assert.deepEqual(other.json, { active: false });
      }
      const own = await post('/o/introspect/', { token: tr.refresh_token }, { authorization: basic('dot', SECRET) });
      assert.equal(own.json.active, true);
    });

    it('a Bearer that may not introspect: a user\'s token (403), a refresh token or a forged one (401); `token` is required', async () => {
      const tr = await passwordToken();
      assert.equal(tr.scope, 'read write', 'a user token does not get the introspection scope by default');
      const asked = await post('/o/token/', { grant_type: 'password', username: 'alice', password: PASSWORD, scope: 'read introspection' }, { authorization: basic('dot', SECRET) });
      assert.equal(asked.status, 400);
      assert.equal(asked.json.error, 'invalid_scope');
      for (const method of ['GET', 'POST']) {
        const r = await read(await srv.fetch(`${srv.url}/o/introspect/`, { method, headers: { authorization: `Bearer ${tr.access_token}` } }));
        assert.equal(r.status, 403, r.text);
        assert.equal(r.json.error, 'insufficient_scope');
      }
      const rt = await post('/o/introspect/', { token: tr.access_token }, { authorization: `Bearer ${tr.refresh_token}` });
      assert.equal(rt.status, 401);
      assert.equal(rt.json.error, 'invalid_token');
      const forged = await post('/o/introspect/', { token: tr.access_token }, { authorization: 'Bearer forged' });
      assert.equal(forged.status, 401);
      const rs = (await post('/o/token/', { grant_type: 'client_credentials' }, { authorization: basic('rs', RS_SECRET) })).json;
      const none = await read(await srv.fetch(`${srv.url}/o/introspect/`, { headers: { authorization: `Bearer ${rs.access_token}` } }));
      assert.equal(none.status, 400);
      assert.equal(none.json.error, 'invalid_request');
    });

    it('DOT style: a Bearer token with the introspection scope checks the token named in `token`', async () => {
      const tr = await passwordToken();
      const rs = (await post('/o/token/', { grant_type: 'client_credentials' }, { authorization: basic('rs', RS_SECRET) })).json;
      const r = await post('/o/introspect/', { token: tr.access_token }, { authorization: `Bearer ${rs.access_token}` });
      assert.equal(r.json.active, true);
      assert.equal(r.json.client_id, 'dot');
      const plain = (await post('/o/token/', { grant_type: 'client_credentials' }, { authorization: basic('plain', RS_SECRET) })).json;
      const denied = await post('/o/introspect/', { token: tr.access_token }, { authorization: `Bearer ${plain.access_token}` });
      assert.equal(denied.status, 403);
      assert.equal(denied.json.error, 'insufficient_scope');
      // The introspection scope alone does not entitle: rs-own sees its own tokens only.
      const ownRs = (await post('/o/token/', { grant_type: 'client_credentials' }, { authorization: basic('rs-own', RS_SECRET) })).json;
      const notEntitled = await post('/o/introspect/', { token: tr.access_token }, { authorization: `Bearer ${ownRs.access_token}` });
      assert.deepEqual(notEntitled.json, { active: false });
      const self = await post('/o/introspect/', { token: ownRs.access_token }, { authorization: `Bearer ${ownRs.access_token}` });
      assert.equal(self.json.active, true);
    });

    it('POST /o/revoke_token/: 200 empty; the access token reads inactive, a revoked refresh token is refused', async () => {
      const tr = await passwordToken();
      const r = await post('/o/revoke_token/', { token: tr.access_token }, { authorization: basic('dot', SECRET) });
      assert.equal(r.status, 200);
      assert.equal(r.text, '');
      const check = await post('/o/introspect/', { token: tr.access_token }, { authorization: basic('rs', RS_SECRET) });
      assert.deepEqual(check.json, { active: false });
      const rr = await post('/o/revoke_token/', { token: tr.refresh_token, token_type_hint: 'refresh_token' }, { authorization: basic('dot', SECRET) });
      assert.equal(rr.status, 200);
      const refresh = await post('/o/token/', { grant_type: 'refresh_token', refresh_token: tr.refresh_token }, { authorization: basic('dot', SECRET) });
      assert.equal(refresh.json.error, 'invalid_grant');
    });

    it('serve --dev prints a curl command that works as printed', async () => {
      const line = curlLine(await devSection(srv, 'o'));
      assert.match(line, /^curl -k -X POST -d "grant_type=password&username=dot-user&password=[^"]+" https:\/\/dot-demo:[^@]+@127\.0\.0\.1:\d+\/o\/token\/$/);
      const r = await shell(line, env);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(Object.keys(r.json), FIELDS);
    });
  });
}

// The admin API's resources, black-box on the real server (both stores): each happy path,
// pagination and filters, problem+json shapes, and what a change does to tokens.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { basic, postForm, startTestServer, type TestServer } from '../helpers/server.js';
import { BACKENDS } from '../helpers/stores.js';
import { PASSWORDS, SECRETS, standardConfig } from '../http/fixtures.js';
import { admin, assertProblem, clientToken } from './helpers.js';

const SECRET_FIELD = /"client_secret"|secret_hash|password_hash|private_jwk|"password":/;
const GATEWAY = 'gateway-secret-0123456789abcdefghijklmn';
const config = { ...standardConfig, clients: [...standardConfig.clients, { client_id: 'gateway', client_secret: GATEWAY, introspect: 'all' }] };

for (const backend of BACKENDS) {
  describe(`admin API resources (${backend})`, () => {
    let srv: TestServer;
    let api: Awaited<ReturnType<typeof admin>>;
    before(async () => {
      srv = await startTestServer(backend, config);
      api = await admin(srv);
    });
    after(async () => { await srv.close(); });

    const introspect = async (token: string) =>
      (await postForm(`${srv.url}/oauth2/introspect`, { token }, { authorization: basic('gateway', GATEWAY) })).json;

    it('clients: create shows the secret once, and it works at the token endpoint', async () => {
      const r = await api.call('POST', '/admin/clients', { client_id: 'made-by-api', client_name: 'Made', scope: 'read write' });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.headers.get('location'), '/admin/clients/made-by-api');
      assert.equal(r.headers.get('cache-control'), 'no-store');
      assert.equal(r.json.client.client_id, 'made-by-api');
      assert.equal(r.json.client.token_endpoint_auth_method, 'client_secret_basic');
      assert.match(r.json.client_secret, /^[\w-]{32,}$/);
      assert.doesNotMatch(r.text, /secret_hash/);
      // As curl would: Basic auth with the shown-once secret.
      const tok = await postForm(`${srv.url}/oauth2/token`, { grant_type: 'client_credentials', scope: 'read' }, { authorization: basic('made-by-api', r.json.client_secret) });
      assert.equal(tok.status, 200, tok.text);
      // Never shown again.
      const got = await api.call('GET', '/admin/clients/made-by-api');
      assert.equal(got.status, 200);
      assert.equal(got.json.client_name, 'Made');
      assert.doesNotMatch(got.text, SECRET_FIELD);
      assertProblem(await api.call('POST', '/admin/clients', { client_id: 'made-by-api' }), 409, 'conflict', '/admin/clients');
    });

    it('clients: PATCH changes metadata and keeps the secret; rotate replaces it', async () => {
      const made = await api.call('POST', '/admin/clients', { client_id: 'patchme', scope: 'read' });
      const p = await api.call('PATCH', '/admin/clients/patchme', { scope: 'read write', access_token_ttl: 120 });
      assert.equal(p.status, 200, p.text);
      assert.equal(p.json.scope, 'read write');
      assert.equal(p.json.access_token_ttl, 120);
      const tok = await postForm(`${srv.url}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: basic('patchme', made.json.client_secret) });
      assert.equal(tok.status, 200, tok.text);
      assert.equal(tok.json.scope, 'read write');
      assert.equal(tok.json.expires_in, 120);
      const rot = await api.call('POST', '/admin/clients/patchme/secret');
      assert.equal(rot.status, 200, rot.text);
      assert.notEqual(rot.json.client_secret, made.json.client_secret);
      assert.equal((await postForm(`${srv.url}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: basic('patchme', made.json.client_secret) })).status, 401);
      assert.equal((await postForm(`${srv.url}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: basic('patchme', rot.json.client_secret) })).status, 200);
      // A public client has no secret to rotate; a confidential one cannot turn public.
      assertProblem(await api.call('POST', '/admin/clients/spa/secret'), 409, 'conflict');
      const bad = await api.call('PATCH', '/admin/clients/patchme', { token_endpoint_auth_method: 'none' });
      assertProblem(bad, 400, 'validation');
      assert.deepEqual(bad.json.errors.map((e: { pointer: string }) => e.pointer), ['/token_endpoint_auth_method']);
    });

    it('clients: disable makes its tokens inactive; enable lets it in again; delete', async () => {
      const made = await api.call('POST', '/admin/clients', { client_id: 'todisable', scope: 'read' });
      const token = await clientToken(srv, 'todisable', made.json.client_secret);
      assert.equal((await introspect(token)).active, true);
      const d = await api.call('POST', '/admin/clients/todisable/disable');
      assert.equal(d.status, 200, d.text);
      assert.equal(d.json.disabled, true);
      assert.equal((await introspect(token)).active, false);
      assert.equal((await postForm(`${srv.url}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: basic('todisable', made.json.client_secret) })).status, 401);
      assert.equal((await api.call('POST', '/admin/clients/todisable/enable')).json.disabled, false);
      assert.equal((await postForm(`${srv.url}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: basic('todisable', made.json.client_secret) })).status, 200);
      const unlocked = await api.call('POST', '/admin/clients/todisable/unlock');
      assert.equal(unlocked.status, 200, unlocked.text);
      assert.equal(unlocked.json.locked_until, null);
      const del = await api.call('DELETE', '/admin/clients/todisable');
      assert.equal(del.status, 204);
      assert.equal(del.text, '');
      assertProblem(await api.call('GET', '/admin/clients/todisable'), 404, 'not-found', '/admin/clients/todisable');
      assertProblem(await api.call('DELETE', '/admin/clients/todisable'), 404, 'not-found');
    });

    it('clients: a client Tessera manages (a dialect\'s built-in) cannot be changed', async () => {
      assertProblem(await api.call('PATCH', '/admin/clients/hcx', { scope: 'x' }), 409, 'conflict');
      assertProblem(await api.call('DELETE', '/admin/clients/hcx'), 409, 'conflict');
    });

    it('lists page with limit and an opaque cursor, and filter', async () => {
      for (let i = 0; i < 5; i++) await api.call('POST', '/admin/clients', { client_id: `page-${i}`, client_name: `Paged ${i}` });
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const r: Awaited<ReturnType<typeof api.call>> = await api.call('GET', `/admin/clients?q=page-&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        assert.equal(r.status, 200, r.text);
        assert.ok(r.json.items.length <= 2);
        seen.push(...r.json.items.map((c: { client_id: string }) => c.client_id));
        cursor = r.json.next_cursor;
        pages++;
      } while (cursor);
      assert.deepEqual(seen, ['page-0', 'page-1', 'page-2', 'page-3', 'page-4']);
      assert.equal(pages, 3);
      const all = await api.call('GET', '/admin/clients');
      assert.ok(all.json.items.length >= 10 && all.json.items.length <= 50);
      assert.doesNotMatch(all.text, SECRET_FIELD);
      await api.call('POST', '/admin/clients/page-3/disable');
      assert.deepEqual((await api.call('GET', '/admin/clients?q=PAGE&disabled=true')).json.items.map((c: { client_id: string }) => c.client_id), ['page-3']);
      assertProblem(await api.call('GET', '/admin/clients?limit=101'), 400, 'validation');
      assertProblem(await api.call('GET', '/admin/clients?limit=0'), 400, 'validation');
      assertProblem(await api.call('GET', '/admin/clients?cursor=%25%25'), 400, 'validation');
      assertProblem(await api.call('GET', '/admin/clients?nope=1'), 400, 'validation');
    });

    it('users: create, read, patch, password, disable (its token introspects inactive), unlock, delete', async () => {
      const c = await api.call('POST', '/admin/users', { username: 'carol', password: 'carol-password-one', email: 'carol@example.test', roles: ['nurse'] });
      assert.equal(c.status, 201, c.text);
      assert.doesNotMatch(c.text, SECRET_FIELD);
      const id = c.json.id as string;
      assert.equal(c.headers.get('location'), `/admin/users/${id}`);
      assertProblem(await api.call('POST', '/admin/users', { username: 'carol', password: 'x' }), 409, 'conflict');
      const p = await api.call('PATCH', `/admin/users/${id}`, { name: 'Carol C', participant_code: 'hosp-1@swasth' });
      assert.equal(p.status, 200, p.text);
      assert.equal(p.json.name, 'Carol C');
      assert.equal(p.json.email, 'carol@example.test');
      const np = await api.call('PATCH', `/admin/users/${id}`, { participant_code: 'no-such' });
      assertProblem(np, 400, 'validation');
      assert.equal(np.json.errors[0].pointer, '/participant_code');
      // The password grant works with the password set here.
      const grant = (pw: string) => postForm(`${srv.url}/oauth2/token`, { grant_type: 'password', username: 'carol', password: pw, scope: 'read' }, { authorization: basic('app', SECRETS.app) });
      const t1 = await grant('carol-password-one');
      assert.equal(t1.status, 200, t1.text);
      const sessions = await api.call('GET', `/admin/users/${id}/sessions`);
      assert.equal(sessions.json.items.length, 1);
      assert.equal(sessions.json.items[0].client_id, 'app');
      assert.equal((await api.call('PUT', `/admin/users/${id}/password`, { password: 'carol-password-two' })).status, 204);
      assert.equal((await grant('carol-password-one')).status, 400);
      assert.equal((await introspect(t1.json.access_token)).active, false, 'a new password ends the sessions');
      const t2 = await grant('carol-password-two');
      assert.equal(t2.status, 200);
      assert.equal((await introspect(t2.json.access_token)).active, true);
      const d = await api.call('POST', `/admin/users/${id}/disable`);
      assert.equal(d.json.disabled, true);
      assert.equal((await introspect(t2.json.access_token)).active, false, 'a disabled user\'s token introspects inactive');
      assert.equal((await api.call('GET', `/admin/users?disabled=true&q=carol`)).json.items.length, 1);
      await api.call('POST', `/admin/users/${id}/enable`);
      const u = await api.call('POST', `/admin/users/${id}/unlock`);
      assert.equal(u.status, 200);
      assert.equal(u.json.locked_until, null);
      assert.equal((await api.call('DELETE', `/admin/users/${id}`)).status, 204);
      assertProblem(await api.call('GET', `/admin/users/${id}`), 404, 'not-found');
    });

    it('users: sessions list and revoke one or all', async () => {
      const alice = (await api.call('GET', '/admin/users?q=alice')).json.items[0];
      const grant = () => postForm(`${srv.url}/oauth2/token`, { grant_type: 'password', username: 'alice', password: PASSWORDS.alice, scope: 'read' }, { authorization: basic('app', SECRETS.app) });
      const a = await grant();
      const b = await grant();
      const list = await api.call('GET', `/admin/users/${alice.id}/sessions`);
      assert.equal(list.json.items.length, 2, list.text);
      const first = list.json.items.find((s: { id: string }) => s.id);
      assert.deepEqual(Object.keys(first).sort(), ['auth_time', 'client_id', 'created_at', 'id']);
      assert.equal((await api.call('DELETE', `/admin/users/${alice.id}/sessions/${first.id}`)).status, 204);
      assertProblem(await api.call('DELETE', `/admin/users/${alice.id}/sessions/not-a-family`), 404, 'not-found');
      assert.equal((await api.call('GET', `/admin/users/${alice.id}/sessions`)).json.items.length, 1);
      const all = await api.call('DELETE', `/admin/users/${alice.id}/sessions`);
      assert.equal(all.json.revoked, 1);
      assert.equal((await api.call('GET', `/admin/users/${alice.id}/sessions`)).json.items.length, 0);
      assert.equal((await introspect(a.json.access_token)).active, false);
      assert.equal((await introspect(b.json.access_token)).active, false);
      const refresh = await postForm(`${srv.url}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: b.json.refresh_token }, { authorization: basic('app', SECRETS.app) });
      assert.equal(refresh.status, 400);
    });

    it('participants: create, list, patch, delete', async () => {
      const c = await api.call('POST', '/admin/participants', { participant_code: 'clinic-9', name: 'Clinic', roles: ['provider'] });
      assert.equal(c.status, 201, c.text);
      assertProblem(await api.call('POST', '/admin/participants', { participant_code: 'clinic-9' }), 409, 'conflict');
      assert.equal((await api.call('PATCH', '/admin/participants/clinic-9', { name: 'Clinic Nine' })).json.name, 'Clinic Nine');
      assert.deepEqual((await api.call('GET', '/admin/participants?q=clinic')).json.items.map((p: { participant_code: string }) => p.participant_code), ['clinic-9']);
      assert.equal((await api.call('GET', '/admin/participants/clinic-9')).json.roles[0], 'provider');
      assert.equal((await api.call('DELETE', '/admin/participants/clinic-9')).status, 204);
      assertProblem(await api.call('GET', '/admin/participants/clinic-9'), 404, 'not-found');
    });

    it('keys: list shows which kid signs; rotate is published in the JWKS at once; retire', async () => {
      const list = await api.call('GET', '/admin/keys');
      const es = list.json.signing.ES256 as string;
      assert.ok(es);
      assert.equal(list.json.items.find((k: { kid: string }) => k.kid === es).status, 'current');
      assert.doesNotMatch(list.text, /private|"d"/);
      const rot = await api.call('POST', '/admin/keys/rotate', { alg: 'ES256' });
      assert.equal(rot.status, 201, rot.text);
      assert.equal(rot.json.status, 'next');
      const jwks = await (await fetch(`${srv.url}/.well-known/jwks.json`)).json() as { keys: { kid: string }[] };
      assert.ok(jwks.keys.some((k) => k.kid === rot.json.kid), 'the new key is in the JWKS');
      // The current key is the only one signing now: retiring it is refused.
      assertProblem(await api.call('POST', `/admin/keys/${es}/retire`), 409, 'conflict');
      // An EdDSA key made for the occasion, then a second: the first can be retired.
      const e1 = await api.call('POST', '/admin/keys/rotate', { alg: 'EdDSA' });
      assert.equal(e1.json.status, 'current', 'the first key of an alg signs at once');
      const r = await api.call('POST', `/admin/keys/${rot.json.kid}/retire`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.status, 'retired');
      assert.equal((await api.call('GET', '/admin/keys')).json.signing.ES256, es);
      assertProblem(await api.call('POST', '/admin/keys/rotate', { alg: 'HS256' }), 400, 'validation');
      assertProblem(await api.call('POST', '/admin/keys/no-such-kid/retire'), 404, 'not-found');
    });

    it('audit: every change above has an entry with who, what and when, and no secret', async () => {
      const entries: any[] = [];
      let cursor: string | null = null;
      do {
        const r: Awaited<ReturnType<typeof api.call>> = await api.call('GET', `/admin/audit?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
        assert.equal(r.status, 200, r.text);
        entries.push(...r.json.items);
        cursor = r.json.next_cursor;
      } while (cursor);
      const seqs = entries.map((e) => e.seq);
      assert.deepEqual(seqs, [...seqs].sort((a, b) => b - a), 'newest first');
      assert.equal(new Set(seqs).size, seqs.length, 'no entry twice across pages');
      const actions = new Set(entries.map((e) => e.action));
      for (const a of ['client.bootstrap', 'client.create', 'client.update', 'client.rotate_secret', 'client.disable', 'client.enable', 'client.unlock', 'client.delete',
        'user.create', 'user.update', 'user.set_password', 'user.disable', 'user.enable', 'user.unlock', 'user.delete',
        'user.revoke_session', 'user.revoke_sessions', 'participant.create', 'participant.update', 'participant.delete', 'key.rotate', 'key.retire']) {
        assert.ok(actions.has(a), `audit has ${a}`);
      }
      const upd = entries.find((e) => e.action === 'client.update' && e.resource_id === 'patchme');
      assert.equal(upd.actor_client_id, 'tessera-admin');
      assert.equal(upd.actor_user_id, null);
      assert.equal(upd.before.scope, 'read');
      assert.equal(upd.after.scope, 'read write');
      assert.ok(Math.abs(upd.at - Date.now() / 1000) < 120);
      const text = JSON.stringify(entries);
      assert.doesNotMatch(text, SECRET_FIELD);
      assert.doesNotMatch(text, /carol-password/);
      assertProblem(await api.call('GET', '/admin/audit?cursor=abc'), 400, 'validation');
    });
  });
}

// The web admin console (src/admin/console), black-box over HTTP on the real server (both
// stores): signing in through the code flow, its pages and forms, and as an attacker: no
// session, a foreign CSRF token, a tampered cookie, a non-administrator, a disabled one, a
// replayed cookie after sign-out.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { consoleEntities } from '../../src/admin/console/client.js';
import { validateConfig } from '../../src/config/validate.js';
import { Browser } from '../helpers/cookie-jar.js';
import { ADMIN_PW, consoleConfig, consoleSignIn, csrfOf } from '../helpers/console.js';
import { basic, postForm, startTestServer, type TestServer } from '../helpers/server.js';
import { BACKENDS } from '../helpers/stores.js';
import { admin } from './helpers.js';

const GATEWAY = basic('gateway', consoleConfig.clients[0]!.client_secret);
const textOf = (html: string, id: string) => new RegExp(`id="${id}">([^<]*)<`).exec(html)?.[1];

for (const backend of BACKENDS) {
  describe(`web admin console (${backend})`, () => {
    let srv: TestServer;
    before(async () => { srv = await startTestServer(backend, consoleConfig); });
    after(async () => { await srv.close(); });

    const introspect = async (token: string) => (await postForm(`${srv.url}/oauth2/introspect`, { token }, { authorization: GATEWAY })).json;
    const userId = async (username: string) => (await srv.tessera.store.users.getByUsername(username))!.id;

    it('the built-in client tessera-console: public, code flow only, first party, redirecting to the admin listener', async () => {
      const c = await srv.tessera.store.clients.get('tessera-console');
      assert.ok(c);
      assert.equal(c.managed_by, 'console');
      assert.equal(c.token_endpoint_auth_method, 'none');
      assert.deepEqual(c.grant_types, ['authorization_code']);
      assert.equal(c.scope, 'openid profile tessera:admin');
      assert.equal(c.first_party, true);
      assert.deepEqual(c.redirect_uris, ['http://127.0.0.1/admin/callback']);
      assert.equal(c.client_secret_hash, null);
    });

    it('signs an administrator in through the code flow with PKCE S256, state and nonce; the cookie holds no readable token', async () => {
      const b = new Browser(srv.adminUrl!);
      const start = await b.get('/admin/login');
      const q = new URL(start.location!).searchParams;
      assert.equal(q.get('client_id'), 'tessera-console');
      assert.equal(q.get('redirect_uri'), `${srv.adminUrl}/admin/callback`);
      assert.equal(q.get('code_challenge_method'), 'S256');
      assert.match(q.get('code_challenge')!, /^[\w-]{43}$/);
      assert.match(q.get('state')!, /^[\w-]{43}$/);
      assert.match(q.get('nonce')!, /^[\w-]{43}$/);
      assert.equal(q.get('scope'), 'openid profile tessera:admin');

      const { b: signed, page } = await consoleSignIn(srv, 'root');
      assert.equal(page.status, 200);
      assert.match(page.text, /<meta http-equiv="refresh" content="0;url=\/admin\/">/);
      const session = page.setCookies.find((c) => c.startsWith('tessera_console_session='))!;
      assert.match(session, /; HttpOnly/);
      assert.match(session, /; SameSite=Strict/);
      assert.match(session, /^tessera_console_session=s1\./);
      const dash = await signed.get('/admin/');
      assert.equal(dash.status, 200);
      assert.match(dash.text, /<h1>Dashboard<\/h1>/);
      assert.match(dash.text, /authorization_code/);
      assert.match(dash.text, /<span>root<\/span>/);
      assert.equal(dash.headers.get('cache-control'), 'no-store');
      assert.equal(dash.headers.get('x-frame-options'), 'DENY');
      assert.equal(dash.headers.get('content-security-policy'), "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
      assert.doesNotMatch(dash.text, /<script/);
      // The audit log knows who: the console's client and the signed-in user.
      const css = await signed.get('/admin/console/console.css');
      assert.equal(css.status, 200);
      assert.match(css.headers.get('content-type')!, /^text\/css/);
    });

    it('without a session every page sends the browser to sign in; a tampered cookie is no session', async () => {
      const b = new Browser(srv.adminUrl!);
      for (const path of ['/admin/', '/admin/console/clients', '/admin/console/users/x', '/admin/console/keys']) {
        const r = await b.get(path);
        assert.equal(r.status, 303, path);
        assert.equal(r.location, '/admin/login');
      }
      const { b: signed } = await consoleSignIn(srv, 'root');
      const v = signed.cookies.get('tessera_console_session')!;
      signed.cookies.set('tessera_console_session', `${v.slice(0, -4)}AAAA`);
      assert.equal((await signed.get('/admin/')).status, 303);
      // Another browser's CSRF cookie does not open this browser's session.
      const { b: other } = await consoleSignIn(srv, 'root');
      other.cookies.set('tessera_console_session', v);
      assert.equal((await other.get('/admin/')).status, 303);
    });

    it('a callback this browser did not start is refused', async () => {
      const b = new Browser(srv.adminUrl!);
      await b.get('/admin/login');
      const r = await b.get('/admin/callback?code=abc&state=forged');
      assert.equal(r.status, 400);
      assert.match(r.text, /not started here/);
      assert.equal(r.setCookies.some((c) => c.startsWith('tessera_console_session=s1')), false);
    });

    it('a user without the tessera:admin role is refused with a clear page, and gets no session', async () => {
      const { b, page } = await consoleSignIn(srv, 'joe');
      assert.equal(page.status, 403);
      assert.match(page.text, /<h1>Not an administrator<\/h1>/);
      assert.match(page.text, /joe/);
      assert.equal(b.cookies.has('tessera_console_session'), false);
      assert.equal((await b.get('/admin/')).status, 303);
    });

    it('clients: register one, its secret shown once works at the token endpoint; the change is audited with the user as actor', async () => {
      const { b } = await consoleSignIn(srv, 'root');
      const form = await b.get('/admin/console/clients/new');
      const made = await b.post('/admin/console/clients', {
        csrf_token: csrfOf(form), client_id: 'from-console', client_name: 'From the console', token_endpoint_auth_method: 'client_secret_basic',
        grant_types: 'client_credentials', scope: 'read',
      });
      assert.equal(made.status, 200, made.text);
      assert.equal(made.headers.get('cache-control'), 'no-store');
      const secret = textOf(made.text, 'client-secret')!;
      assert.match(secret, /^[\w-]{32,}$/);
      const tok = await postForm(`${srv.url}/oauth2/token`, { grant_type: 'client_credentials', scope: 'read' }, { authorization: basic('from-console', secret) });
      assert.equal(tok.status, 200, tok.text);
      // Never shown again.
      const page = await b.get('/admin/console/clients/from-console');
      assert.equal(page.status, 200);
      assert.doesNotMatch(page.text, new RegExp(secret));
      const entries = await srv.tessera.store.audit.list(50);
      const e = entries.find((x) => x.action === 'client.create' && x.resource_id === 'from-console')!;
      assert.equal(e.actor_client_id, 'tessera-console');
      assert.equal(e.actor_user_id, await userId('root'));
      assert.doesNotMatch(JSON.stringify(entries), new RegExp(secret));

      // Search, edit, disable, rotate, delete.
      const list = await b.get('/admin/console/clients?q=from-con');
      assert.match(list.text, /href="\/admin\/console\/clients\/from-console"/);
      assert.doesNotMatch(list.text, /href="\/admin\/console\/clients\/gateway"/);
      const csrf = csrfOf(page);
      const saved = await b.post('/admin/console/clients/from-console', { csrf_token: csrf, client_name: 'Renamed', grant_types: 'client_credentials', scope: 'read write' });
      assert.equal(saved.status, 303);
      assert.equal(saved.location, '/admin/console/clients/from-console?done=saved');
      assert.equal((await srv.tessera.store.clients.get('from-console'))!.client_name, 'Renamed');
      assert.equal((await b.post('/admin/console/clients/from-console/disable', { csrf_token: csrf })).status, 303);
      assert.equal((await postForm(`${srv.url}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: basic('from-console', secret) })).status, 401);
      assert.equal((await b.post('/admin/console/clients/from-console/enable', { csrf_token: csrf })).status, 303);
      const rotated = await b.post('/admin/console/clients/from-console/secret', { csrf_token: csrf, confirm: 'yes' });
      const secret2 = textOf(rotated.text, 'client-secret')!;
      assert.notEqual(secret2, secret);
      assert.equal((await postForm(`${srv.url}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: basic('from-console', secret2) })).status, 200);
      // Deleting needs the confirmation box.
      assert.equal((await b.post('/admin/console/clients/from-console/delete', { csrf_token: csrf })).location, '/admin/console/clients/from-console');
      assert.ok(await srv.tessera.store.clients.get('from-console'));
      const del = await b.post('/admin/console/clients/from-console/delete', { csrf_token: csrf, confirm: 'yes' });
      assert.equal(del.location, '/admin/console/clients?done=deleted');
      assert.equal(await srv.tessera.store.clients.get('from-console'), null);
    });

    it('a form without this browser\'s CSRF token changes nothing', async () => {
      const { b } = await consoleSignIn(srv, 'root');
      const { b: other } = await consoleSignIn(srv, 'root2');
      const foreign = csrfOf(await other.get('/admin/'));
      for (const token of [undefined, '', foreign]) {
        const r = await b.post('/admin/console/participants', { ...(token !== undefined ? { csrf_token: token } : {}), participant_code: 'csrf-made' });
        assert.equal(r.status, 403);
        assert.match(r.text, /Form expired/);
      }
      assert.equal(await srv.tessera.store.participants.get('csrf-made'), null);
      // Sign-out without it does not sign out.
      assert.equal((await b.post('/admin/logout', { csrf_token: foreign })).status, 403);
      assert.equal((await b.get('/admin/')).status, 200);
    });

    it('users: create, a bad password shown as the API\'s problem, edit, reset password, sessions, disable (the token introspects inactive)', async () => {
      const { b } = await consoleSignIn(srv, 'root');
      const csrf = csrfOf(await b.get('/admin/console/users/new'));
      const weak = await b.post('/admin/console/users', { csrf_token: csrf, username: 'weakling', password: 'short' });
      assert.equal(weak.status, 400);
      assert.match(weak.text, /class="error" role="alert"/);
      assert.match(weak.text, /password/);
      const made = await b.post('/admin/console/users', { csrf_token: csrf, username: 'carol', password: ADMIN_PW, name: 'Carol', roles: 'nurse' });
      assert.equal(made.status, 303, made.text);
      const id = await userId('carol');
      assert.equal(made.location, `/admin/console/users/${id}?done=created`);
      const shown = await b.get(made.location!);
      assert.match(shown.text, /Created\./);
      assert.equal((await b.post(`/admin/console/users/${id}`, { csrf_token: csrf, name: 'Carol C', roles: 'nurse doctor' })).status, 303);
      assert.deepEqual((await srv.tessera.store.users.getById(id))!.roles, ['nurse', 'doctor']);

      const pw = consoleConfig.clients[1]!;
      const grant = await postForm(`${srv.url}/oauth2/token`, { grant_type: 'password', username: 'carol', password: ADMIN_PW, scope: 'read' }, { authorization: basic(pw.client_id, pw.client_secret) });
      assert.equal(grant.status, 200, grant.text);
      assert.match((await b.get(`/admin/console/users/${id}`)).text, /<code>pw<\/code>/);
      assert.equal((await introspect(grant.json.access_token)).active, true);
      const off = await b.post(`/admin/console/users/${id}/disable`, { csrf_token: csrf });
      assert.equal(off.location, `/admin/console/users/${id}?done=disabled`);
      assert.equal((await introspect(grant.json.access_token)).active, false);
      assert.equal((await b.post(`/admin/console/users/${id}/enable`, { csrf_token: csrf })).status, 303);
      const reset = await b.post(`/admin/console/users/${id}/password`, { csrf_token: csrf, password: 'a brand new password for carol' });
      assert.equal(reset.location, `/admin/console/users/${id}?done=password`);
      assert.equal((await postForm(`${srv.url}/oauth2/token`, { grant_type: 'password', username: 'carol', password: 'a brand new password for carol', scope: 'read' }, { authorization: basic(pw.client_id, pw.client_secret) })).status, 200);
      const none = await b.get('/admin/console/users/no-such-id');
      assert.equal(none.status, 404);
    });

    it('participants: create, edit, delete', async () => {
      const { b } = await consoleSignIn(srv, 'root');
      const csrf = csrfOf(await b.get('/admin/console/participants'));
      const made = await b.post('/admin/console/participants', { csrf_token: csrf, participant_code: 'hosp-9', name: 'Hospital 9', roles: 'provider' });
      assert.equal(made.location, '/admin/console/participants/hosp-9?done=created');
      assert.equal((await b.post('/admin/console/participants/hosp-9', { csrf_token: csrf, name: 'Hospital Nine', roles: 'provider payer' })).status, 303);
      assert.deepEqual((await srv.tessera.store.participants.get('hosp-9'))!.roles, ['provider', 'payer']);
      assert.match((await b.get('/admin/console/participants')).text, /Hospital Nine/);
      assert.equal((await b.post('/admin/console/participants/hosp-9/delete', { csrf_token: csrf, confirm: 'yes' })).status, 303);
      assert.equal(await srv.tessera.store.participants.get('hosp-9'), null);
    });

    it('keys: shows which kid signs; rotate adds a kid to the JWKS', async () => {
      const { b } = await consoleSignIn(srv, 'root');
      const page = await b.get('/admin/console/keys');
      assert.match(page.text, /class="signing-kid" data-alg="RS256"/);
      const before = new Set(((await (await fetch(`${srv.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid));
      const r = await b.post('/admin/console/keys/rotate', { csrf_token: csrfOf(page), alg: 'ES256' });
      assert.equal(r.location, '/admin/console/keys?done=rotated');
      const after = ((await (await fetch(`${srv.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
      const added = after.filter((k) => !before.has(k));
      assert.equal(added.length, 1);
      assert.match((await b.get('/admin/console/keys')).text, new RegExp(added[0]!));
    });

    it('a disabled administrator is out at the next page; sign-out revokes the token, and the old cookie opens nothing', async () => {
      const { b: root2 } = await consoleSignIn(srv, 'root2');
      assert.equal((await root2.get('/admin/console/clients')).status, 200);
      const api = await admin(srv);
      assert.equal((await api.call('POST', `/admin/users/${await userId('root2')}/disable`)).status, 200);
      const out = await root2.get('/admin/console/clients');
      assert.equal(out.status, 401);
      assert.match(out.text, /session has ended/);
      assert.equal((await api.call('POST', `/admin/users/${await userId('root2')}/enable`)).status, 200);

      const { b } = await consoleSignIn(srv, 'root');
      const kept = new Map(b.cookies);
      const bye = await b.post('/admin/logout', { csrf_token: csrfOf(await b.get('/admin/')) });
      assert.equal(bye.status, 200);
      assert.match(bye.text, /token was revoked/);
      assert.equal(b.cookies.has('tessera_console_session'), false);
      // Replaying the cookie from before: its token was revoked.
      const replay = new Browser(srv.adminUrl!);
      for (const [k, v] of kept) replay.cookies.set(k, v);
      const r = await replay.get('/admin/console/users');
      assert.equal(r.status, 401);
    });

    it('as an attacker: markup in names is escaped; odd bodies and ids are 4xx pages, never 500', async () => {
      const { b } = await consoleSignIn(srv, 'root');
      const csrf = csrfOf(await b.get('/admin/console/clients/new'));
      const made = await b.post('/admin/console/clients', { csrf_token: csrf, client_id: 'x"><script>alert(1)</script>', client_name: '<img src=x onerror=alert(1)>', token_endpoint_auth_method: 'none', grant_types: 'authorization_code', redirect_uris: 'https://evil.example/cb' });
      assert.equal(made.status, 200, made.text);
      const list = await b.get('/admin/console/clients');
      assert.doesNotMatch(list.text, /<script>alert|<img src=x/);
      assert.match(list.text, /&lt;img src=x onerror=alert\(1\)&gt;/);
      const json = await fetch(`${srv.adminUrl}/admin/console/participants`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: [...b.cookies].map(([k, v]) => `${k}=${v}`).join('; ') }, body: JSON.stringify({ csrf_token: csrf, participant_code: 'json' }) });
      assert.equal(json.status, 415);
      assert.match(json.headers.get('content-type')!, /^text\/html/);
      const huge = await b.post('/admin/console/participants', { csrf_token: csrf, participant_code: 'x'.repeat(20_000) });
      assert.equal(huge.status, 413);
      const long = await b.post('/admin/console/participants', { csrf_token: csrf, participant_code: 'y'.repeat(5000) });
      assert.equal(long.status, 400);
      assert.match(long.text, /class="error"/);
      for (const path of ['/admin/console/clients/..%2F..%2Fusers', '/admin/console/users/%00', '/admin/console/participants/%2e%2e%2fx']) {
        const r = await b.get(path);
        assert.ok(r.status === 404 || r.status === 400, `${path}: ${r.status}`);
      }
      assert.equal((await b.get('/admin/callback?state=%00&code=x')).status, 400);
    });

    it('console pages are not operations of the admin API (its OpenAPI document)', async () => {
      const doc = await (await fetch(`${srv.adminUrl}/admin/openapi.json`)).json() as { paths: Record<string, unknown> };
      assert.equal(Object.keys(doc.paths).some((p) => p.startsWith('/admin/console') || p === '/admin/login' || p === '/admin/'), false);
    });
  });
}

describe('web admin console: admin: false', () => {
  it('removes the tessera-console client', async () => {
    const srv = await startTestServer('sqlite', { admin: false, metrics_listener: 'public' });
    try {
      assert.equal(await srv.tessera.store.clients.get('tessera-console'), null);
      assert.equal(srv.adminUrl, null);
    } finally {
      await srv.close();
    }
  });
});

describe('web admin console: admin_url and session expiry', () => {
  it('admin_url is an http(s) origin; the console client redirects to it', () => {
    for (const bad of ['https://admin.example/sub', 'ftp://admin.example', 'admin.example', 'https://admin.example/?x=1', 'https://u@admin.example']) {
      assert.throws(() => validateConfig({ admin_url: bad }), (e: Error) => e.message.includes('admin_url') && e.message.includes('origin'), bad);
    }
    const cfg = validateConfig({ admin_url: 'https://admin.example.internal/' });
    assert.equal(cfg.admin_url, 'https://admin.example.internal');
    assert.deepEqual(consoleEntities(cfg)[0]!.clients[0]!.redirect_uris, ['https://admin.example.internal/admin/callback']);
    assert.deepEqual(consoleEntities(validateConfig({ admin_host: '0.0.0.0', admin_port: 9000 }))[0]!.clients[0]!.redirect_uris, ['http://127.0.0.1:9000/admin/callback']);
    assert.deepEqual(consoleEntities(validateConfig({ admin: false, metrics_listener: 'public' })), []);
  });

  it('the session ends with its access token', async () => {
    const srv = await startTestServer('sqlite', { ...consoleConfig, access_token_ttl: 2 });
    try {
      const { b, page } = await consoleSignIn(srv, 'root');
      assert.match(page.setCookies.find((c) => c.startsWith('tessera_console_session='))!, /Max-Age=[12]$/);
      // The cookie jar keeps it past Max-Age, as a stolen copy would be: the server's check ends it.
      assert.equal((await b.get('/admin/')).status, 200);
      await new Promise((r) => setTimeout(r, 3100));
      const r = await b.get('/admin/');
      assert.equal(r.status, 303);
      assert.equal(r.location, '/admin/login');
    } finally {
      await srv.close();
    }
  });
});

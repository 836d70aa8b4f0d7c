// The database goes away and comes back: a TCP proxy between Tessera and PostgreSQL is cut
// (refused) or blackholed (accepted, never answered). Every request that needs the store
// answers 503 + Retry-After with temporarily_unavailable, in the body its route speaks,
// within seconds and never a hang; no token is handed out that was not stored; a cached
// client's client_credentials JWT (nothing to store) keeps working; /readyz says 503; and
// when the database is back, requests succeed again without a restart. A stalled network
// (open connections that go silent) is bounded by the query timeout.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pgUrl } from '../helpers/pg.js';
import { basic, startTestServer, type TestServer } from '../helpers/server.js';
import { makeDatabase, type TestStore } from '../helpers/stores.js';
import { TcpProxy, viaProxy } from '../helpers/tcp-proxy.js';
import { PASSWORDS, SECRETS, standardConfig } from './fixtures.js';

const elapsed = async <T>(f: () => Promise<T>): Promise<{ ms: number; r: T }> => {
  const t0 = Date.now();
  const r = await f();
  return { ms: Date.now() - t0, r };
};

describe('PostgreSQL outage', { skip: pgUrl ? false : 'TESSERA_TEST_DATABASE_URL is not set' }, () => {
  let db: TestStore;
  let proxy: TcpProxy;
  let srv: TestServer;
  const ok = (r: { status: number; text: string }) => assert.equal(r.status, 200, r.text);

  // Every request below carries a 10 s abort: a hang fails the test instead of stalling it.
  const post = async (path: string, form: Record<string, string>, headers: Record<string, string> = {}) => {
    const res = await fetch(`${srv.url}${path}`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form).toString(), signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    let json: any;
    try { json = JSON.parse(text); } catch { json = undefined; }
    return { status: res.status, headers: res.headers, json, text };
  };
  const svcToken = () => post('/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic('svc', SECRETS.svc) });
  const opaqueToken = () => post('/oauth2/token', { grant_type: 'client_credentials' }, { authorization: basic('opaque', SECRETS.opaque) });
  const passwordToken = () => post('/oauth2/token', { grant_type: 'password', username: 'alice', password: PASSWORDS.alice }, { authorization: basic('app', SECRETS.app) });
  const ready = async () => {
    const res = await fetch(`${srv.url}/readyz`, { signal: AbortSignal.timeout(10_000) });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  function assertUnavailable(r: { status: number; headers: Headers; json: any; text: string }, what: string): void {
    assert.equal(r.status, 503, `${what}: ${r.text}`);
    assert.equal(r.headers.get('retry-after'), '5', what);
    assert.equal(r.headers.get('cache-control'), 'no-store', what);
    assert.equal(r.json?.error, 'temporarily_unavailable', what);
    assert.doesNotMatch(r.text, /ECONN|SQLSTATE|postgres|127\.0\.0\.1/i, `${what}: no detail leaks to the caller`);
  }

  /** Polls until `f` gives 200; returns how long it took. */
  async function until200(f: () => Promise<{ status: number }>): Promise<number> {
    const t0 = Date.now();
    for (;;) {
      if ((await f()).status === 200) return Date.now() - t0;
      assert.ok(Date.now() - t0 < 15_000, 'recovered within 15 s');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  before(async () => {
    db = await makeDatabase('postgres');
    const target = new URL(db.url);
    proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    await proxy.start();
    // client_cache_ttl 1: the cached clients are past their ttl when the database goes, so
    // serving them is stale-if-error, not an ordinary cache hit.
    // Statement and query timeouts from the URL (as an operator may set them), shorter than
    // the defaults so the stall case is quick; the connect timeout keeps its default (2 s).
    const database = viaProxy(db.url, proxy, { statement_timeout: '2000', query_timeout: '2500' });
    srv = await startTestServer('postgres', { ...standardConfig, client_cache_ttl: 1, database }, { db });
  });
  after(async () => {
    await srv?.close();
    await proxy?.close();
    await db?.cleanup();
  });

  it('cut: 503 + Retry-After on standard and dialect routes within 3 s; cached client_credentials JWT 200; /readyz 503; recovers without restart', async (t) => {
    ok(await svcToken());
    ok(await opaqueToken());
    const pw = await passwordToken();
    ok(pw);
    assert.equal((await ready()).status, 200);
    await new Promise((r) => setTimeout(r, 1100));

    await proxy.cut();
    const first = await elapsed(passwordToken);
    assertUnavailable(first.r, 'password grant');
    assert.ok(first.ms < 3000, `503 after ${first.ms} ms`);
    t.diagnostic(`cut database: first 503 after ${first.ms} ms`);

    assertUnavailable(await post('/oauth2/token', { grant_type: 'refresh_token', refresh_token: pw.json.refresh_token }, { authorization: basic('app', SECRETS.app) }), 'refresh grant');
    // An opaque token exists only as its stored row: it must not be handed out unstored.
    assertUnavailable(await opaqueToken(), 'opaque client_credentials');
    assertUnavailable(await post('/oauth2/introspect', { token: pw.json.access_token }, { authorization: basic('svc', SECRETS.svc) }), 'introspection');
    assertUnavailable(await post('/oauth2/revoke', { token: pw.json.refresh_token }, { authorization: basic('app', SECRETS.app) }), 'revocation (RFC 7009 §2.2.1)');
    assertUnavailable(await post('/o/token/', { grant_type: 'password', username: 'alice', password: PASSWORDS.alice }, { authorization: basic('app', SECRETS.app) }), 'dialect o');

    // HCX keeps its own body, with the same status and Retry-After.
    const hcx = await post('/api/v0.8/user/auth/token/generate', { username: 'alice', password: PASSWORDS.alice });
    assert.equal(hcx.status, 503, hcx.text);
    assert.equal(hcx.headers.get('retry-after'), '5');
    assert.equal(hcx.json?.error?.code, 'ERR_SERVICE_UNAVAILABLE', hcx.text);
    // v1 reads a JSON body and answers RFC 6749 errors.
    const v1 = await fetch(`${srv.url}/v1/oauth/token/user`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(10_000),
      body: JSON.stringify({ grant_type: 'password', username: 'alice', password: PASSWORDS.alice, client_id: 'app', client_secret: SECRETS.app }),
    });
    assert.equal(v1.status, 503);
    assert.equal(v1.headers.get('retry-after'), '5');
    assert.equal(((await v1.json()) as { error: string }).error, 'temporarily_unavailable');

    // Signing keys are in memory and a client_credentials JWT is stored nowhere.
    const cc = await svcToken();
    ok(cc);
    assert.equal(cc.json.access_token.split('.').length, 3);

    const r = await elapsed(ready);
    assert.equal(r.r.status, 503);
    assert.deepEqual(r.r.json, { status: 'unavailable', store: 'postgres', limits: 'memory' });
    assert.ok(r.ms < 3000, `/readyz answered in ${r.ms} ms`);
    t.diagnostic(`cut database: /readyz 503 in ${r.ms} ms`);

    await proxy.restore();
    const back = await until200(passwordToken);
    t.diagnostic(`restored database: password grant 200 again after ${back} ms`);
    assert.equal((await ready()).status, 200);
    ok(await opaqueToken());
    // The refresh token issued before the outage still works, once.
    ok(await post('/oauth2/token', { grant_type: 'refresh_token', refresh_token: pw.json.refresh_token }, { authorization: basic('app', SECRETS.app) }));
  });

  it('blackhole: connections that never answer give 503 within 3 s, not a hang; recovers', async (t) => {
    ok(await svcToken());
    await new Promise((r) => setTimeout(r, 1100));
    await proxy.blackhole();
    const first = await elapsed(passwordToken);
    assertUnavailable(first.r, 'password grant');
    assert.ok(first.ms < 3000, `503 after ${first.ms} ms`);
    t.diagnostic(`blackholed database: 503 after ${first.ms} ms`);
    // Concurrent requests: each bounded, none stuck behind another.
    const many = await elapsed(() => Promise.all(Array.from({ length: 6 }, opaqueToken)));
    for (const r of many.r) assertUnavailable(r, 'concurrent opaque client_credentials');
    assert.ok(many.ms < 5000, `6 concurrent requests answered in ${many.ms} ms`);
    ok(await svcToken());
    const r = await elapsed(ready);
    assert.equal(r.r.status, 503);
    assert.ok(r.ms < 3000, `/readyz answered in ${r.ms} ms`);
    t.diagnostic(`blackholed database: /readyz 503 in ${r.ms} ms`);
    await proxy.restore();
    const back = await until200(passwordToken);
    t.diagnostic(`restored database: 200 again after ${back} ms`);
  });

  it('stall: pooled connections that go silent mid-query give 503 after the query timeout, not a hang; recovers', async (t) => {
    ok(await passwordToken()); // pooled connections are open and idle
    proxy.stall();
    const first = await elapsed(passwordToken);
    assertUnavailable(first.r, 'password grant');
    assert.ok(first.ms >= 2000 && first.ms < 5000, `503 after ${first.ms} ms (query_timeout 2500 ms)`);
    t.diagnostic(`stalled connections: 503 after ${first.ms} ms`);
    const r = await elapsed(ready);
    assert.equal(r.r.status, 503);
    assert.ok(r.ms < 5000, `/readyz answered in ${r.ms} ms`);
    await proxy.restore();
    const back = await until200(passwordToken);
    t.diagnostic(`restored database: 200 again after ${back} ms`);
  });
});

// Rate limits, black-box: per client address (decided by trusted_proxies) and per
// authenticated client, 429 with an exact Retry-After in every endpoint's own body, refill,
// what does not count (failed authentication, public clients, other routes), and off.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { BACKENDS } from '../helpers/stores.js';
import { basic, postForm, startTestServer, type TestServer } from '../helpers/server.js';
import { SECRETS, standardConfig } from './fixtures.js';

const CC = { grant_type: 'client_credentials' };
const svc = basic('svc', SECRETS.svc);
const THROTTLED = { error: 'temporarily_unavailable', error_description: 'too many requests; retry later' };

/** As a client behind the proxy at 127.0.0.1 would arrive. */
const from = (ip: string, headers: Record<string, string> = {}) => ({ ...headers, 'x-forwarded-for': ip });

type Res = { status: number; headers: Headers; json: any; text: string };

/**
 * `retryAfter`: whole seconds until the empty bucket holds a token again. A bucket refills
 * while the test runs, so when it was full `since` (ms, Date.now()) ago, the exact value
 * is one of ceil(retryAfter - elapsed) … retryAfter; a fast test pins it exactly.
 */
function expectThrottled(r: Res, retryAfter: number, since = Date.now()): void {
  assert.equal(r.status, 429, r.text);
  const lowest = Math.max(1, Math.ceil(retryAfter - (Date.now() - since) / 1000));
  const got = Number(r.headers.get('retry-after'));
  assert.ok(/^\d+$/.test(r.headers.get('retry-after') ?? '') && got >= lowest && got <= retryAfter, `Retry-After ${r.headers.get('retry-after')}, expected ${lowest}..${retryAfter}`);
  assert.equal(r.headers.get('cache-control'), 'no-store');
  assert.deepEqual(r.json, THROTTLED);
}

async function throttledCount(url: string, reason: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(new RegExp(`tessera_throttled_total\\{reason="${reason}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
}

/** Counts LimitStore.gate calls that take from a bucket (the lockout's gate checks locks only). */
function countGates(srv: TestServer): () => number {
  let n = 0;
  const gate = srv.tessera.limits.gate.bind(srv.tessera.limits);
  srv.tessera.limits.gate = (g) => { if (g.buckets?.length) n++; return gate(g); };
  return () => n;
}

for (const backend of BACKENDS) {
  describe(`rate limits behind a trusted proxy (${backend})`, () => {
    let srv: TestServer;
    const lines: string[] = [];
    before(async () => {
      const sink = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
      srv = await startTestServer(backend, {
        ...standardConfig,
        trusted_proxies: ['127.0.0.1'],
        // 0.2/s: a token every 5 s, so Retry-After is exactly 5 once a bucket is empty.
        rate_limit: { ip: { rate: 0.2, burst: 3 }, client: { rate: 0.2, burst: 2 } },
      }, { log: pino({ level: 'info' }, sink) });
    });
    after(async () => { await srv.close(); });

    it('an address gets its burst, then 429 + Retry-After on every limited endpoint, before authentication', async () => {
      const ip = '192.0.2.1';
      const t0 = Date.now();
      for (const [i, client] of (['svc', 'poster', 'rsa'] as const).entries()) {
        const auth: Record<string, string> = client === 'poster' ? {} : { authorization: basic(client, SECRETS.svc) };
        const body = client === 'poster' ? { ...CC, client_id: 'poster', client_secret: SECRETS.poster } : CC;
        const r = await postForm(`${srv.url}/oauth2/token`, body, from(ip, auth));
        assert.equal(r.status, 200, `request ${i + 1}: ${r.text}`);
      }
      expectThrottled(await postForm(`${srv.url}/oauth2/token`, CC, from(ip, { authorization: basic('ed', SECRETS.svc) })), 5, t0);
      // A wrong secret is refused before it is checked: no argon2id work for a throttled address.
      expectThrottled(await postForm(`${srv.url}/oauth2/token`, CC, from(ip, { authorization: basic('svc', 'wrong') })), 5, t0);
      expectThrottled(await postForm(`${srv.url}/oauth2/introspect`, { token: 'x' }, from(ip, { authorization: svc })), 5, t0);
      expectThrottled(await postForm(`${srv.url}/oauth2/revoke`, { token: 'x' }, from(ip, { authorization: svc })), 5, t0);
      // Not a token endpoint: not limited.
      assert.equal((await fetch(`${srv.url}/.well-known/jwks.json`, { headers: from(ip) })).status, 200);
      // Another address has its own bucket.
      assert.equal((await postForm(`${srv.url}/oauth2/token`, CC, from('192.0.2.2', { authorization: basic('pss', SECRETS.svc) }))).status, 200);
    });

    // Without credentials: 401 at once, which spends the address's token and no client's.
    it('IPv6 addresses share one bucket per /64', async () => {
      const t0 = Date.now();
      for (const ip of ['2001:db8:1:1::1', '2001:db8:1:1::2', '2001:db8:1:1:ffff::3']) {
        assert.equal((await postForm(`${srv.url}/oauth2/introspect`, { token: 'x' }, from(ip))).status, 401);
      }
      expectThrottled(await postForm(`${srv.url}/oauth2/introspect`, { token: 'x' }, from('[2001:db8:1:1::9]:4711')), 5, t0);
      assert.equal((await postForm(`${srv.url}/oauth2/introspect`, { token: 'x' }, from('2001:db8:1:2::1'))).status, 401);
    });

    it('Forwarded (RFC 7239) names the address too', async () => {
      const fwd = { forwarded: 'for="[2001:db8:2::1]:4711";proto=https' };
      const t0 = Date.now();
      for (let i = 0; i < 3; i++) assert.equal((await postForm(`${srv.url}/oauth2/revoke`, { token: 'x' }, fwd)).status, 401);
      expectThrottled(await postForm(`${srv.url}/oauth2/revoke`, { token: 'x' }, fwd), 5, t0);
    });

    it('a client gets its burst across addresses; failed authentication does not spend it; other clients are unaffected', async () => {
      const before429 = await throttledCount(srv.adminUrl!, 'client_rate');
      // An attacker naming the client with wrong secrets, from many addresses: 401, never 429.
      for (let i = 0; i < 4; i++) {
        const r = await postForm(`${srv.url}/oauth2/token`, CC, from(`198.51.100.${i}`, { authorization: basic('opaque', 'guess') }));
        assert.equal(r.status, 401, r.text);
      }
      // The client itself still has its whole burst (2), wherever it calls from.
      const t0 = Date.now();
      assert.equal((await postForm(`${srv.url}/oauth2/token`, CC, from('203.0.113.1', { authorization: basic('opaque', SECRETS.opaque) }))).status, 200);
      assert.equal((await postForm(`${srv.url}/oauth2/introspect`, { token: 'x' }, from('203.0.113.2', { authorization: basic('opaque', SECRETS.opaque) }))).status, 200);
      expectThrottled(await postForm(`${srv.url}/oauth2/token`, CC, from('203.0.113.3', { authorization: basic('opaque', SECRETS.opaque) })), 5, t0);
      expectThrottled(await postForm(`${srv.url}/oauth2/revoke`, { token: 'x' }, from('203.0.113.4', { authorization: basic('opaque', SECRETS.opaque) })), 5, t0);
      assert.equal(await throttledCount(srv.adminUrl!, 'client_rate'), before429 + 2);
      // Another client, from the same addresses, is not touched.
      assert.equal((await postForm(`${srv.url}/oauth2/token`, CC, from('203.0.113.3', { authorization: basic('svc', SECRETS.svc) }))).status, 200);
    });

    it('a public client (it only names itself) is limited per address only', async () => {
      for (let i = 0; i < 3; i++) {
        const r = await postForm(`${srv.url}/oauth2/token`, { grant_type: 'password', client_id: 'spa', username: 'nobody', password: 'x' }, from(`203.0.113.${10 + i}`));
        assert.equal(r.status, 400, r.text);
        assert.equal(r.json.error, 'invalid_grant');
      }
    });

    it('dialect routes answer 429 in their own body, with Retry-After', async () => {
      const cases: [string, string, RequestInit, (json: any) => void][] = [
        ['POST', '/o/token/', { body: 'grant_type=client_credentials', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, (j) => assert.deepEqual(j, THROTTLED)],
        ['POST', '/o/introspect/', { body: 'token=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, (j) => assert.deepEqual(j, THROTTLED)],
        ['POST', '/o/revoke_token/', { body: 'token=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, (j) => assert.deepEqual(j, THROTTLED)],
        ['POST', '/api/v0.9/user/auth/token/generate', { body: 'username=a', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, (j) => {
          assert.equal(typeof j.timestamp, 'number');
          assert.deepEqual(j.error, { code: 'ERR_SERVICE_UNAVAILABLE', message: 'too many requests; retry later' });
        }],
        ['POST', '/v1/oauth/token/company', { body: '{}', headers: { 'content-type': 'application/json' } }, (j) => assert.deepEqual(j, THROTTLED)],
        ['GET', '/v1/oauth/token', {}, (j) => assert.deepEqual(j, THROTTLED)],
      ];
      for (const [k, [method, path, init, check]] of cases.entries()) {
        const ip = `192.0.2.${100 + k}`;
        const t0 = Date.now();
        const go = () => fetch(`${srv.url}${path}`, { ...init, method, headers: { ...(init.headers as Record<string, string>), 'x-forwarded-for': ip } });
        for (let i = 0; i < 3; i++) assert.notEqual((await go()).status, 429, `${path} request ${i + 1}`);
        const res = await go();
        const json = await res.json();
        expectThrottled({ status: res.status, headers: res.headers, json: THROTTLED, text: path }, 5, t0);
        assert.equal(res.headers.get('cache-control'), 'no-store', path);
        check(json);
      }
    });

    it('garbage forwarded headers from the proxy count against the proxy, never an address the client chose', async () => {
      const t0 = Date.now();
      const garbage: Record<string, string>[] = [{ 'x-forwarded-for': 'not-an-address' }, { forwarded: 'for="unterminated' }, { 'x-forwarded-for': '192.0.2.9', forwarded: 'for=192.0.2.10' }];
      for (const h of garbage) assert.equal((await postForm(`${srv.url}/oauth2/introspect`, { token: 'x' }, h)).status, 401, JSON.stringify(h));
      // The three went to 127.0.0.1's bucket (burst 3): it is empty now, whatever is claimed.
      expectThrottled(await postForm(`${srv.url}/oauth2/introspect`, { token: 'x' }, { 'x-forwarded-for': '1.2.3.4, junk' }), 5, t0);
      assert.equal((await postForm(`${srv.url}/oauth2/introspect`, { token: 'x' }, from('192.0.2.9'))).status, 401);
    });

    it('throttled requests are counted by reason, and the request log carries the client address', async () => {
      assert.ok(await throttledCount(srv.adminUrl!, 'ip_rate') >= 12);
      const requests = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request');
      assert.ok(requests.some((l) => l.ip === '192.0.2.1' && l.status === 429));
      assert.ok(requests.some((l) => l.ip === '2001:db8:2::1' && l.status === 429));
      assert.ok(requests.some((l) => l.ip === '127.0.0.1' && l.path === '/oauth2/introspect' && l.status === 429), 'garbage headers: the proxy');
      assert.ok(!requests.some((l) => ['not-an-address', '192.0.2.10', '1.2.3.4'].includes(l.ip)), 'never an address from a garbage header');
    });

    it('the hot path: one gate for the address, one for the authenticated client', async () => {
      const gates = countGates(srv);
      assert.equal((await postForm(`${srv.url}/oauth2/token`, CC, from('192.0.2.200', { authorization: basic('ed', SECRETS.svc) }))).status, 200);
      assert.equal(gates(), 2);
    });
  });

  describe(`rate limits without trusted proxies (${backend})`, () => {
    let srv: TestServer;
    before(async () => {
      srv = await startTestServer(backend, { ...standardConfig, rate_limit: { ip: { rate: 2, burst: 1 }, client: false } });
    });
    after(async () => { await srv.close(); });

    it('X-Forwarded-For and Forwarded from an untrusted peer are ignored; the bucket refills at its rate', async () => {
      assert.equal((await postForm(`${srv.url}/oauth2/token`, CC, from('192.0.2.50', { authorization: svc }))).status, 200);
      // Another claimed address, the same socket address (127.0.0.1): the same empty bucket.
      // Exactly 1: under 2/s, less than one token short is under a second's wait.
      const r = await postForm(`${srv.url}/oauth2/token`, CC, from('192.0.2.51', { authorization: svc }));
      expectThrottled(r, 1);
      assert.equal(r.headers.get('retry-after'), '1');
      expectThrottled(await postForm(`${srv.url}/oauth2/token`, CC, { forwarded: 'for=192.0.2.52', authorization: svc }), 1);
      // 2/s: a token every 500 ms.
      await new Promise((r) => setTimeout(r, 600));
      assert.equal((await postForm(`${srv.url}/oauth2/token`, CC, { authorization: svc })).status, 200);
    });
  });

  describe(`rate_limit: false (${backend})`, () => {
    let srv: TestServer;
    before(async () => { srv = await startTestServer(backend, { ...standardConfig, rate_limit: false }); });
    after(async () => { await srv.close(); });

    it('no bucket is consulted', async () => {
      const gates = countGates(srv);
      for (let i = 0; i < 3; i++) assert.equal((await postForm(`${srv.url}/oauth2/token`, CC, { authorization: svc })).status, 200);
      assert.equal((await postForm(`${srv.url}/oauth2/introspect`, { token: 'x' }, { authorization: svc })).status, 200);
      assert.equal(gates(), 0);
      assert.equal(await throttledCount(srv.adminUrl!, 'ip_rate'), 0);
    });
  });
}

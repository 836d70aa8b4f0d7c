// Slow and numerous connections (slowloris) cannot crowd out a normal request: sockets that
// dribble their headers or body are closed at http_headers_timeout / http_request_timeout,
// and max_connections / max_connections_per_ip refuse sockets beyond the caps. The store
// plays no part in any of this: SQLite only.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { basic, postForm, startTestServer, type TestServer } from '../helpers/server.js';
import { SECRETS, standardConfig } from './fixtures.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Dribbler { socket: Socket; openedAt: number; sentAt: number; closedAt: number | undefined; answer: string }

/**
 * Opens a socket from `localAddress` and sends `first` as soon as it is connected; records
 * when the server closes it and what it answered.
 */
function open(url: string, localAddress = '127.0.0.1', first?: string): Promise<Dribbler> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: u.hostname, port: Number(u.port), localAddress });
    const d: Dribbler = { socket, openedAt: Date.now(), sentAt: 0, closedAt: undefined, answer: '' };
    socket.on('data', (c: Buffer) => { d.answer += String(c); });
    socket.on('close', () => { d.closedAt = Date.now(); });
    socket.on('error', () => {});
    socket.once('connect', () => {
      if (first !== undefined) { d.sentAt = Date.now(); socket.write(first); }
      resolve(d);
    });
    socket.once('error', reject);
  });
}

/** A whole request on its own connection (no keep-alive pool), from `localAddress`. */
function get(url: string, path: string, localAddress = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { agent: false, localAddress }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); });
    req.setTimeout(5000, () => req.destroy(new Error('request hung')));
    req.on('error', reject);
    req.end();
  });
}

describe('slow clients are closed at their timeout and do not starve others', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer('sqlite', {
      ...standardConfig, http_headers_timeout: 1, http_request_timeout: 2, max_connections_per_ip: 0, rate_limit: false,
    });
  });
  after(async () => { await srv.close(); });

  it('500 header dribblers and 250 body dribblers: a token request still answers at once; the server closes them all', async (t) => {
    const token = () => postForm(`${srv.url}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: basic('svc', SECRETS.svc) });
    assert.equal((await token()).status, 200); // warm: the secret is verified once per process
    // Node times a request from its first byte (a silent connection from its start).
    const slowHeaders = 'POST /oauth2/token HTTP/1.1\r\nHost: x\r\nX-Slow: ';
    const slowBody = `POST /oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nAuthorization: ${basic('svc', SECRETS.svc)}\r\nContent-Length: 100\r\n\r\ngrant_type=`;
    const headers = await Promise.all(Array.from({ length: 500 }, () => open(srv.url, '127.0.0.1', slowHeaders)));
    const bodies = await Promise.all(Array.from({ length: 250 }, () => open(srv.url, '127.0.0.1', slowBody)));
    // One byte per second on every socket, for longer than either timeout.
    const drip = setInterval(() => {
      for (const d of [...headers, ...bodies]) if (d.closedAt === undefined) d.socket.write('a');
    }, 1000);
    try {
      await sleep(300);
      const t0 = performance.now();
      const r = await token();
      const ms = performance.now() - t0;
      assert.equal(r.status, 200, r.text);
      assert.ok(ms < 500, `a normal request took ${Math.round(ms)} ms among 750 slow sockets`);
      t.diagnostic(`client_credentials among 750 slow sockets: ${Math.round(ms)} ms`);

      // Closed by the server, not by us: 408 (RFC 9110 §15.5.9) and the end of the connection.
      const deadline = Date.now() + 6000;
      while ([...headers, ...bodies].some((d) => d.closedAt === undefined) && Date.now() < deadline) await sleep(100);
      const late = (ds: Dribbler[], s: number) => ds.filter((d) => d.closedAt === undefined || d.closedAt - d.sentAt > (s + 2) * 1000).length;
      assert.equal(late(headers, 1), 0, 'header dribblers closed within the headers timeout (+ the 250 ms check interval and slack)');
      assert.equal(late(bodies, 2), 0, 'body dribblers closed within the request timeout');
      // Not closed early: each had its whole timeout.
      assert.ok(headers.every((d) => d.closedAt! - d.sentAt >= 950), 'a header dribbler gets the whole headers timeout');
      assert.ok(bodies.every((d) => d.closedAt! - d.sentAt >= 1950), 'a body dribbler gets the whole request timeout, not the headers one');
      assert.ok([...headers, ...bodies].every((d) => /^HTTP\/1\.1 408 /.test(d.answer)), 'each was told 408 Request Timeout');
    } finally {
      clearInterval(drip);
      for (const d of [...headers, ...bodies]) d.socket.destroy();
    }
  });

  it('a connection that sends nothing is closed at the headers timeout', async () => {
    const start = Date.now();
    const idle = await Promise.all(Array.from({ length: 20 }, () => open(srv.url)));
    const deadline = start + 5000;
    while (idle.some((d) => d.closedAt === undefined) && Date.now() < deadline) await sleep(100);
    for (const d of idle) d.socket.destroy();
    assert.ok(idle.every((d) => d.closedAt !== undefined && d.closedAt - start < 3500), 'closed by the server within ~1 s');
  });
});

describe('connection caps', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer('sqlite', { ...standardConfig, max_connections: 8, max_connections_per_ip: 3, trusted_proxies: ['127.0.0.5'] });
  });
  after(async () => { await srv.close(); });

  /** Whether the server closed the socket within 300 ms without being asked anything. */
  const refused = async (d: Dribbler) => { await sleep(300); return d.closedAt !== undefined; };

  it('max_connections_per_ip: the address over its cap is refused at once; other addresses are not', async () => {
    const held = await Promise.all([1, 2, 3].map(() => open(srv.url, '127.0.0.1')));
    try {
      assert.equal(await refused(await open(srv.url, '127.0.0.1')), true, 'a 4th connection from 127.0.0.1');
      await assert.rejects(get(srv.url, '/healthz', '127.0.0.1'));
      assert.equal(await get(srv.url, '/healthz', '127.0.0.2'), 200);
      assert.ok(held.every((d) => d.closedAt === undefined), 'the held connections stay open');
    } finally {
      for (const d of held) d.socket.destroy();
    }
    await sleep(100);
    assert.equal(await get(srv.url, '/healthz', '127.0.0.1'), 200, 'free again once they close');
  });

  it('a trusted proxy is not capped per address; max_connections caps everyone', async () => {
    const proxy = await Promise.all([1, 2, 3, 4, 5, 6].map(() => open(srv.url, '127.0.0.5')));
    const other = await Promise.all([1, 2].map(() => open(srv.url, '127.0.0.6')));
    try {
      assert.ok(!(await refused(proxy[5]!)), 'a proxy may hold more than 3');
      assert.ok(other.every((d) => d.closedAt === undefined));
      // 8 open: a 9th from anywhere is refused.
      assert.equal(await refused(await open(srv.url, '127.0.0.7')), true);
    } finally {
      for (const d of [...proxy, ...other]) d.socket.destroy();
    }
    await sleep(100);
    assert.equal(await get(srv.url, '/healthz', '127.0.0.7'), 200);
  });
});

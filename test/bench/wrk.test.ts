// The bench's wrk driver (bench/lib/wrk.ts): the request wrk sends is the one described
// (method, path, headers, body, with quotes and newlines intact), only 200s count as
// successes, and every other status is tallied. Skipped where wrk is not installed.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { hasWrk, parseRequestsPerSec, runWrk, wrkScript } from '../../bench/lib/wrk.js';

describe('bench wrk driver', () => {
  it('escapes the body and headers into the Lua script', () => {
    const s = wrkScript({ method: 'POST', path: '/p', headers: { authorization: 'Basic "a\\b"' }, body: 'x="1"\ny' });
    assert.match(s, /^wrk\.method = "POST"$/m);
    assert.match(s, /^wrk\.body = "x=\\"1\\"\\ny"$/m);
    assert.match(s, /^wrk\.headers\["authorization"\] = "Basic \\"a\\\\b\\""$/m);
  });

  it("reads requests/s from wrk's text", () => {
    assert.equal(parseRequestsPerSec('Requests/sec:  12345.67\nTransfer/sec: 1MB'), 12345.67);
    assert.equal(parseRequestsPerSec('nothing here'), null);
  });

  describe('against a server', { skip: hasWrk() ? false : 'wrk is not installed' }, () => {
    let url = '';
    let n = 0;
    const seen: { method?: string; url?: string; auth?: string; body: string }[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (d: Buffer) => { body += d.toString(); });
      req.on('end', () => {
        if (seen.length < 5) seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, body });
        // Every third request is throttled.
        res.statusCode = ++n % 3 === 0 ? 429 : 200;
        res.end('{}');
      });
    });
    before(async () => {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((r) => server.close(() => r())));

    it('sends the request and counts only 200s as successes', async () => {
      const r = await runWrk(url, { method: 'POST', path: '/token?x=1', headers: { authorization: 'Basic abc' }, body: 'a=1&b="2"' }, { connections: 2, threads: 1, durationS: 1 });
      assert.deepEqual(seen[0], { method: 'POST', url: '/token?x=1', auth: 'Basic abc', body: 'a=1&b="2"' });
      const throttled = r.statuses[429] ?? 0;
      assert.ok(r.ok > 0 && throttled > 0, JSON.stringify(r.statuses));
      assert.deepEqual(Object.keys(r.statuses).sort(), ['200', '429']);
      assert.equal(r.errors, throttled);
      assert.ok(Math.abs(r.ok - 2 * throttled) <= 4, `two 200s per 429 (${r.ok} vs ${throttled})`);
      assert.equal(r.rps, r.ok / r.durationS);
      assert.match(r.sampleError ?? '', /× 429/);
    });
  });
});

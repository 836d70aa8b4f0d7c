// Redis as the shared home of throttling counters, seen from outside: /readyz says where
// the counters are, and when Redis dies Tessera keeps issuing, limits in-process, and says
// so in /readyz and in a metric; when it returns, they are shared again. A private
// redis-server is killed; the machine's Redis is never touched.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { basic, postForm, startTestServer, type TestServer } from '../helpers/server.js';
import { startPrivateRedis, type PrivateRedis } from '../helpers/redis.js';
import { SECRETS, standardConfig } from './fixtures.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('redis_url: Redis down and back', () => {
  let redis: PrivateRedis;
  let srv: TestServer;
  before(async () => {
    redis = await startPrivateRedis();
    srv = await startTestServer('sqlite', { ...standardConfig, redis_url: redis.url });
  });
  after(async () => { await srv.close(); await redis.kill(); });

  const token = () => postForm(`${srv.url}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: basic('svc', SECRETS.svc) });
  const ready = async () => { const r = await fetch(`${srv.url}/readyz`); return { status: r.status, body: await r.json() }; };
  const degraded = async () => /^tessera_limits_degraded (\d)/m.exec(await (await fetch(`${srv.adminUrl}/metrics`)).text())?.[1];

  it('reports Redis as where limits are kept', async () => {
    assert.deepEqual(await ready(), { status: 200, body: { status: 'ready', store: 'sqlite', limits: 'redis' } });
    assert.equal((await token()).status, 200);
    assert.equal(await degraded(), '0');
  });

  it('keeps issuing when Redis dies, and says limits are in-process', async () => {
    await redis.kill();
    const t0 = Date.now();
    const r = await token();
    assert.equal(r.status, 200);
    assert.ok(Date.now() - t0 < 1500, `a token took ${Date.now() - t0} ms with Redis down`);
    // Whichever request noticed first, the state is now degraded.
    for (let i = 0; i < 20 && (await ready()).body.limits !== 'memory'; i++) await token();
    const rd = await ready();
    assert.equal(rd.status, 200, 'Redis down does not make Tessera unready');
    assert.equal(rd.body.limits, 'memory');
    assert.match(rd.body.limits_degraded, /redis unreachable/);
    assert.equal(await degraded(), '1');
  });

  it('shares counters again when Redis is back, without a restart', async () => {
    await redis.restart();
    for (let i = 0; i < 60 && (await ready()).body.limits !== 'redis'; i++) await sleep(100);
    assert.deepEqual((await ready()).body, { status: 'ready', store: 'sqlite', limits: 'redis' });
    assert.equal(await degraded(), '0');
    assert.equal((await token()).status, 200);
  });
});

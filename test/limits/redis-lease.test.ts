// Rate-limit tokens leased from Redis ahead: far fewer round trips, and never more
// admissions than the shared bucket gave, whichever instance spends them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RedisLimitStore } from '../../src/limits/redis.js';
import { redisUrl, testPrefix } from '../helpers/redis.js';

describe('RedisLimitStore leases', () => {
  const prefix = testPrefix();
  let a: RedisLimitStore;
  let b: RedisLimitStore;
  before(async () => {
    a = new RedisLimitStore(redisUrl, { prefix });
    b = new RedisLimitStore(redisUrl, { prefix });
    await Promise.all([a.ping(), b.ping()]);
  });
  after(async () => { await a.close(); await b.close(); });

  it('takes a tenth of the rate per round trip', async () => {
    const before = a.leaseRoundTrips;
    const bucket = { key: 'roomy', rate: 1000, burst: 2000 };
    for (let i = 0; i < 300; i++) assert.equal((await a.gate({ buckets: [bucket] })).retryAfter, 0);
    assert.equal(a.leaseRoundTrips - before, 3, '300 admissions from leases of 100');
  });

  it('two instances spending leases of one bucket admit no more than it holds', async () => {
    // rate 50/s, burst 50: leases of 5. Within ~0.1 s at most 50 + 50 × elapsed are admitted.
    const bucket = { key: 'shared', rate: 50, burst: 50 };
    const started = Date.now();
    let admitted = 0;
    for (let i = 0; i < 150; i++) if ((await (i % 2 ? a : b).gate({ buckets: [bucket] })).retryAfter === 0) admitted++;
    const elapsed = (Date.now() - started) / 1000;
    assert.ok(admitted <= 50 + Math.ceil(50 * elapsed), `admitted ${admitted} in ${elapsed} s`);
    assert.ok(admitted >= 40, `admitted only ${admitted}`);
    // The bucket refills at 50/s while this runs: the next refusal is at most a few gates away.
    let refused = await a.gate({ buckets: [bucket] });
    for (let i = 0; i < 10 && refused.retryAfter === 0; i++) refused = await a.gate({ buckets: [bucket] });
    assert.equal(refused.key, 'shared');
    assert.equal(refused.locked, false);
  });

  it('a gate with locks always asks Redis', async () => {
    await b.lock('locked-here', 30);
    assert.equal((await a.gate({ locks: ['locked-here'], buckets: [{ key: 'roomy2', rate: 1000, burst: 2000 }] })).retryAfter, 30);
  });
});

describe('RedisLimitStore leases under concurrency', () => {
  it('concurrent misses share one fetch instead of each taking a lease', async () => {
    const s = new RedisLimitStore(redisUrl, { prefix: testPrefix() });
    await s.ping();
    try {
      const bucket = { key: 'burst', rate: 1000, burst: 1000 };
      const results = await Promise.all(Array.from({ length: 50 }, () => s.gate({ buckets: [bucket] })));
      assert.equal(results.filter((r) => r.retryAfter !== 0).length, 0, 'none refused: the bucket holds 1000');
      assert.equal(s.leaseRoundTrips, 1, 'one lease of 100 served all 50');
    } finally {
      await s.close();
    }
  });
});

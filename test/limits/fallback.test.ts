// Redis down: the store falls back to in-process counters at once (no hang, no error to
// the caller), says so in the log and its status, and returns to Redis when it is back.
// A private redis-server is killed here; the machine's Redis is never touched.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { FailoverLimitStore } from '../../src/limits/fallback.js';
import { MemoryLimitStore } from '../../src/limits/memory.js';
import { RedisLimitStore } from '../../src/limits/redis.js';
import { startPrivateRedis, type PrivateRedis } from '../helpers/redis.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('FailoverLimitStore', () => {
  let redis: PrivateRedis;
  let store: FailoverLimitStore;
  const lines: { level: number; msg: string }[] = [];
  const changes: boolean[] = [];
  before(async () => {
    redis = await startPrivateRedis();
    const sink = new Writable({ write(c, _e, cb) { lines.push(JSON.parse(String(c))); cb(); } });
    store = await new FailoverLimitStore(new RedisLimitStore(redis.url), new MemoryLimitStore(), pino(sink), {
      probeMs: 100, onChange: (d) => changes.push(d),
    }).start();
  });
  after(async () => { await store.close(); await redis.kill(); });

  it('uses Redis while it answers', async () => {
    assert.deepEqual(store.status(), { backend: 'redis' });
    await store.lock('shared', 60);
    // Another client of the same Redis sees the lock: it is shared, not in-process.
    const other = new RedisLimitStore(redis.url);
    await other.ping();
    assert.equal((await other.gate({ locks: ['shared'] })).retryAfter, 60);
    await other.close();
  });

  it('falls back at once when Redis dies, keeps limiting, and says so', async () => {
    await redis.kill();
    const t0 = Date.now();
    const b = { key: 'during', rate: 0.01, burst: 2 };
    assert.equal((await store.gate({ buckets: [b] })).retryAfter, 0);
    assert.ok(Date.now() - t0 < 1000, `first call after the outage took ${Date.now() - t0} ms`);
    assert.equal((await store.gate({ buckets: [b] })).retryAfter, 0);
    assert.ok((await store.gate({ buckets: [b] })).retryAfter > 0, 'the in-process bucket limits');
    assert.deepEqual(await store.fail([{ key: 'u', window: 60 }, { key: 'u', window: 60 }]), [1, 2]);
    await store.lock('outage-lock', 60);
    const st = store.status();
    assert.equal(st.backend, 'memory');
    assert.match(st.degraded ?? '', /redis unreachable/);
    assert.deepEqual(changes, [true]);
    assert.ok(lines.some((l) => l.level === 50 && /kept in this process only/.test(l.msg)), 'an error line says limits are per process now');
  });

  it('returns to Redis when it is back; a lock taken during the outage still holds', async () => {
    await redis.restart();
    for (let i = 0; i < 50 && store.status().backend !== 'redis'; i++) await sleep(100);
    assert.deepEqual(store.status(), { backend: 'redis' });
    assert.deepEqual(changes, [true, false]);
    assert.ok(lines.some((l) => /reachable again/.test(l.msg)));
    assert.equal((await store.gate({ locks: ['outage-lock'] })).retryAfter, 60);
    // New counts go to Redis again.
    await store.fail([{ key: 'after', window: 60 }]);
    const other = new RedisLimitStore(redis.url);
    await other.ping();
    assert.equal((await other.state('after')).failures, 1);
    await other.close();
  });
});

describe('openLimitStore with Redis down at start', () => {
  it('starts in fall-back instead of failing', async () => {
    const { openLimitStore } = await import('../../src/limits/index.js');
    const redis = await startPrivateRedis();
    await redis.kill();
    const store = await openLimitStore({ redis_url: redis.url }, pino({ level: 'silent' }));
    try {
      assert.equal(store.status().backend, 'memory');
      assert.equal((await store.gate({ locks: ['x'] })).retryAfter, 0);
    } finally {
      await store.close();
    }
  });
});

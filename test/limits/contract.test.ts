// One suite for every LimitStore: in-process, and Redis (the machine's, with a private key
// prefix). Both must answer alike, since an instance falls back from one to the other.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MemoryLimitStore } from '../../src/limits/memory.js';
import { RedisLimitStore } from '../../src/limits/redis.js';
import type { LimitStore } from '../../src/limits/store.js';
import { redisUrl, testPrefix } from '../helpers/redis.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const KINDS: [string, () => Promise<LimitStore>][] = [
  ['memory', async () => new MemoryLimitStore()],
  ['redis', async () => { const s = new RedisLimitStore(redisUrl, { prefix: testPrefix() }); await s.ping(); return s; }],
];

for (const [kind, open] of KINDS) {
  describe(`LimitStore contract: ${kind}`, () => {
    let s: LimitStore;
    before(async () => { s = await open(); });
    after(async () => { await s.close(); });

    it('admits with no buckets or locks', async () => {
      assert.deepEqual(await s.gate({}), { retryAfter: 0 });
    });

    it('a bucket admits `burst` requests, then refuses with whole seconds to wait', async () => {
      const b = { key: 'b1', rate: 0.5, burst: 3 };
      for (let i = 0; i < 3; i++) assert.equal((await s.gate({ buckets: [b] })).retryAfter, 0, `request ${i}`);
      const r = await s.gate({ buckets: [b] });
      assert.equal(r.key, 'b1');
      assert.equal(r.locked, false);
      assert.equal(r.retryAfter, 2); // one token at 0.5/s
    });

    it('a bucket refills with time', async () => {
      const b = { key: 'b2', rate: 20, burst: 1 };
      assert.equal((await s.gate({ buckets: [b] })).retryAfter, 0);
      assert.equal((await s.gate({ buckets: [b] })).retryAfter, 1);
      await sleep(120);
      assert.equal((await s.gate({ buckets: [b] })).retryAfter, 0);
    });

    it('reports the bucket that refused among several', async () => {
      const full = { key: 'b3', rate: 100, burst: 100 };
      const empty = { key: 'b4', rate: 0.1, burst: 1 };
      await s.gate({ buckets: [empty] });
      const r = await s.gate({ buckets: [full, empty] });
      assert.equal(r.key, 'b4');
      assert.equal(r.retryAfter, 10);
    });

    it('counts failures per key, in order', async () => {
      assert.deepEqual(await s.fail([{ key: 'f1', window: 60 }, { key: 'f2', window: 60 }]), [1, 1]);
      assert.deepEqual(await s.fail([{ key: 'f1', window: 60 }]), [2]);
      assert.equal((await s.state('f1')).failures, 2);
      assert.equal((await s.state('never')).failures, 0);
    });

    it('a failure window expires after the last failure', async () => {
      await s.fail([{ key: 'f3', window: 1 }]);
      await sleep(600);
      assert.deepEqual(await s.fail([{ key: 'f3', window: 1 }]), [2]); // extended, not expired
      await sleep(1100);
      assert.deepEqual(await s.fail([{ key: 'f3', window: 1 }]), [1]);
    });

    it('a lock refuses the gate until it expires, and is reported as a lock', async () => {
      await s.lock('l1', 1);
      const r = await s.gate({ locks: ['other', 'l1'], buckets: [{ key: 'b5', rate: 1, burst: 1 }] });
      assert.deepEqual(r, { retryAfter: 1, key: 'l1', locked: true });
      assert.equal((await s.state('l1')).lockedFor, 1);
      await sleep(1100);
      assert.equal((await s.gate({ locks: ['l1'] })).retryAfter, 0);
    });

    it('a shorter lock does not cut a longer one short', async () => {
      await s.lock('l2', 30);
      await s.lock('l2', 1);
      assert.equal((await s.gate({ locks: ['l2'] })).retryAfter, 30);
    });

    it('a locked gate takes no token from the buckets', async () => {
      await s.lock('l3', 5);
      const b = { key: 'b6', rate: 0.01, burst: 1 };
      await s.gate({ locks: ['l3'], buckets: [b] });
      assert.equal((await s.gate({ buckets: [b] })).retryAfter, 0);
    });

    it('the gate names the lock keys that have failures counted', async () => {
      await s.fail([{ key: 'g2', window: 60 }]);
      const r = await s.gate({ locks: ['g1', 'g2', 'g3'], buckets: [{ key: 'b7', rate: 100, burst: 100 }] });
      assert.deepEqual(r, { retryAfter: 0, failing: ['g2'] });
      assert.deepEqual(await s.gate({ locks: ['g1'] }), { retryAfter: 0 });
    });

    it('reset forgets failures, lock and bucket of each key', async () => {
      await s.fail([{ key: 'r1', window: 60 }]);
      await s.lock('r1', 60);
      await s.reset(['r1']);
      assert.deepEqual(await s.state('r1'), { failures: 0, lockedFor: 0 });
      assert.equal((await s.gate({ locks: ['r1'] })).retryAfter, 0);
    });
  });
}

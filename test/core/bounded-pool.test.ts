// The bounded pool in front of password hashing: never more than `concurrency` tasks at
// once, at most `queue` waiting, and a refusal (503 overloaded + Retry-After) that costs no
// work.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BoundedPool } from '../../src/core/bounded-pool.js';
import { OAuthError } from '../../src/core/errors.js';

const tick = () => new Promise((r) => setTimeout(r, 1));

/** A hashing stand-in that records how many run at once. */
function instrumented() {
  let running = 0;
  let peak = 0;
  let calls = 0;
  const task = async () => {
    calls++;
    running++;
    peak = Math.max(peak, running);
    await new Promise((r) => setTimeout(r, 2 + Math.random() * 3));
    running--;
    return true;
  };
  return { task, peak: () => peak, calls: () => calls };
}

describe('bounded pool', () => {
  for (const concurrency of [1, 2, 3]) {
    it(`never runs more than concurrency (${concurrency}) at once; every admitted task runs`, async () => {
      const pool = new BoundedPool({ concurrency, queue: 100 });
      const h = instrumented();
      const results = await Promise.all(Array.from({ length: 40 }, () => pool.run(h.task)));
      assert.equal(results.length, 40);
      assert.equal(h.calls(), 40);
      assert.equal(h.peak(), concurrency);
      assert.deepEqual(pool.stats(), { inUse: 0, queued: 0 });
    });
  }

  it('refuses beyond concurrency + queue at once, with 503 overloaded and Retry-After, without running the task', async () => {
    const pool = new BoundedPool({ concurrency: 2, queue: 3 });
    let refusals = 0;
    const off = pool.onRefused(() => { refusals++; });
    const h = instrumented();
    const settled = await Promise.allSettled(Array.from({ length: 10 }, () => pool.run(h.task)));
    assert.equal(settled.filter((s) => s.status === 'fulfilled').length, 5);
    const refused = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => s.reason as OAuthError);
    assert.equal(refused.length, 5);
    for (const e of refused) {
      assert.ok(e instanceof OAuthError);
      assert.equal(e.status, 503);
      assert.equal(e.code, 'temporarily_unavailable');
      assert.equal(e.reason, 'overloaded');
      assert.match(e.headers['retry-after'] ?? '', /^[1-9]\d*$/);
    }
    assert.equal(h.calls(), 5, 'refused tasks never ran');
    assert.equal(refusals, 5);
    off();
    await assert.rejects(Promise.all(Array.from({ length: 6 }, () => pool.run(h.task))), { status: 503 });
    assert.equal(refusals, 5, 'an unsubscribed listener is not called');
  });

  it('queue 0 refuses whenever every slot is busy; a freed slot admits again', async () => {
    const pool = new BoundedPool({ concurrency: 1, queue: 0 });
    let release!: () => void;
    const busy = pool.run(() => new Promise<void>((r) => { release = r; }));
    await assert.rejects(pool.run(async () => 1), { status: 503, reason: 'overloaded' });
    assert.deepEqual(pool.stats(), { inUse: 1, queued: 0 });
    release();
    await busy;
    assert.equal(await pool.run(async () => 2), 2);
  });

  it('serves the queue in arrival order, and a failing task frees its slot', async () => {
    const pool = new BoundedPool({ concurrency: 1, queue: 10 });
    const order: number[] = [];
    let release!: () => void;
    const first = pool.run(() => new Promise<void>((r) => { release = r; }));
    const failing = pool.run(async () => { order.push(0); throw new Error('boom'); });
    const rest = [1, 2, 3].map((i) => pool.run(async () => { order.push(i); }));
    await tick();
    assert.deepEqual(pool.stats(), { inUse: 1, queued: 4 });
    release();
    await first;
    await assert.rejects(failing, /boom/);
    await Promise.all(rest);
    assert.deepEqual(order, [0, 1, 2, 3]);
    assert.deepEqual(pool.stats(), { inUse: 0, queued: 0 });
  });

  it('resize: a larger pool starts waiting tasks at once; a smaller one lets running tasks finish first', async () => {
    const pool = new BoundedPool({ concurrency: 1, queue: 10 });
    const gates: (() => void)[] = [];
    let running = 0;
    let peak = 0;
    const task = () => new Promise<void>((r) => { running++; peak = Math.max(peak, running); gates.push(() => { running--; r(); }); });
    const all = Array.from({ length: 6 }, () => pool.run(task));
    await tick();
    assert.equal(running, 1);
    pool.resize({ concurrency: 3, queue: 10 });
    await tick();
    assert.equal(running, 3);
    pool.resize({ concurrency: 1, queue: 10 });
    gates.shift()!();
    await tick();
    assert.equal(running, 2, 'a freed slot above the new limit is not handed on');
    gates.shift()!();
    await tick();
    assert.equal(running, 1);
    while (gates.length > 0) { gates.shift()!(); await tick(); }
    await Promise.all(all);
    assert.equal(peak, 3);
    assert.deepEqual(pool.stats(), { inUse: 0, queued: 0 });
  });
});

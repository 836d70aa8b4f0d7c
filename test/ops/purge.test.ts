// ops/purge.ts: the whole purge as batches with pauses, stoppable between batches.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { purgeAll } from '../../src/ops/purge.js';
import { BACKENDS } from '../helpers/stores.js';
import { harness, type Harness } from '../core/harness.js';

for (const backend of BACKENDS) {
  describe(`purgeAll (${backend})`, () => {
    let h: Harness;
    before(async () => { h = await harness(backend); });
    after(async () => { await h.close(); });

    async function seed(prefix: string, n: number) {
      await h.store.tokens.persistIssue({ family: { id: prefix, client_id: 'c', user_id: null, created_at: 10 } }, 10);
      for (let i = 0; i < n; i++) {
        await h.store.tokens.persistIssue({
          refresh: { hash: `${prefix}-${i}`, family_id: prefix, client_id: 'c', user_id: null, scope: '', resource: null, expires_at: 20, created_at: 10 },
        }, 10);
      }
    }

    it('purges everything expired in batches, with pauses, and the emptied family', async () => {
      await seed('pa', 25);
      const t0 = performance.now();
      const p = await purgeAll({ tokens: h.store.tokens }, 100, { batch: 10, pauseMs: 20 });
      assert.deepEqual(p, { tokens: 25, successors: 0, signins: 0, registrations: 0, batches: 5 }); // successors: one (empty); tokens: 10, 10, 5, then an empty one
      assert.ok(performance.now() - t0 >= 2 * 20, 'paused between full batches');
      assert.equal(await h.store.tokens.findFamily('pa'), null);
    });

    it('stops between batches when asked', async () => {
      await seed('pb', 25);
      let calls = 0;
      const p = await purgeAll({ tokens: h.store.tokens }, 100, { batch: 10, pauseMs: 1, stopped: () => ++calls > 2 });
      assert.equal(p.tokens, 10);
      assert.equal(await h.store.tokens.purgeExpired(100, 100), 15);
    });
  });
}

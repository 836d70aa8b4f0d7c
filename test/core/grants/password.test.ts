import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { INVALID_CREDENTIALS, passwordGrant } from '../../../src/core/grants/password.js';
import { BACKENDS } from '../../helpers/stores.js';
import { addClient, addUser, harness, now, type Harness } from '../harness.js';

for (const backend of BACKENDS) {
  describe(`password grant (${backend})`, () => {
    let h: Harness;
    before(async () => {
      h = await harness(backend);
      await addUser(h.store, 'carol', 'carol-pass');
    });
    after(async () => { await h.close(); });

    it('issues for the right password, with a refresh allowed', async () => {
      const client = await addClient(h.store, { client_id: 'p1', grant_types: ['password', 'refresh_token'] });
      const o = await passwordGrant(h.store).handle({ client, params: { username: 'carol', password: 'carol-pass' }, now: now() });
      assert.equal(o.user?.username, 'carol');
      assert.equal(o.mayRefresh, true);
    });

    it('same invalid_grant for a wrong password and an unknown user, in similar time', async () => {
      const client = await addClient(h.store, { client_id: 'p2', grant_types: ['password'] });
      const time = async (params: Record<string, string>) => {
        const t0 = performance.now();
        await assert.rejects(passwordGrant(h.store).handle({ client, params, now: now() }), { code: 'invalid_grant', description: INVALID_CREDENTIALS });
        return performance.now() - t0;
      };
      await time({ username: 'nobody', password: 'x' }); // warm the dummy hash
      const median = (a: number[]) => a.sort((x, y) => x - y)[2]!;
      // Both run one argon2id verification; an unknown user must not be several times faster.
      // A loaded machine can skew one round of samples either way; a real timing difference
      // shows in every round, so up to three rounds are taken before failing.
      const rounds: string[] = [];
      for (let round = 0; round < 3; round++) {
        const known: number[] = [];
        const unknown: number[] = [];
        for (let i = 0; i < 5; i++) {
          known.push(await time({ username: 'carol', password: 'wrong' }));
          unknown.push(await time({ username: 'nobody', password: 'wrong' }));
        }
        rounds.push(`known ${median(known).toFixed(1)} ms vs unknown ${median(unknown).toFixed(1)} ms`);
        if (median(unknown) > median(known) / 3) break;
      }
      const last = rounds.at(-1)!.match(/known ([\d.]+) ms vs unknown ([\d.]+) ms/)!;
      assert.ok(Number(last[2]) > Number(last[1]) / 3, rounds.join('; '));
    });

    it('missing username or password is invalid_request', async () => {
      const client = await addClient(h.store, { client_id: 'p3', grant_types: ['password'] });
      await assert.rejects(passwordGrant(h.store).handle({ client, params: { password: 'x' }, now: now() }), { code: 'invalid_request' });
      await assert.rejects(passwordGrant(h.store).handle({ client, params: { username: 'carol' }, now: now() }), { code: 'invalid_request' });
    });
  });
}

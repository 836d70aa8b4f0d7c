// The rules for a refresh token presented after its rotation (core/rotation.ts), with the
// clock under the test's control, on every store.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { refreshTokenGrant } from '../../src/core/grants/refresh_token.js';
import { RACE_WINDOW_SECONDS, SuccessorSeal } from '../../src/core/rotation.js';
import { hashToken } from '../../src/core/secrets.js';
import { BACKENDS } from '../helpers/stores.js';
import { addClient, harness, type Harness } from './harness.js';

const T0 = 1_900_000_000;

describe('SuccessorSeal', () => {
  const seal = new SuccessorSeal('a-secret-key-a-secret-key-a-secret-key');
  it('opens what it sealed, only for the same parent and the same secret key', () => {
    const sealed = seal.seal('the-successor', 'parent-hash');
    assert.ok(!sealed.includes('the-successor'));
    assert.notEqual(seal.seal('the-successor', 'parent-hash'), sealed, 'a fresh IV each time');
    assert.equal(seal.open(sealed, 'parent-hash'), 'the-successor');
    assert.equal(seal.open(sealed, 'other-parent'), null);
    assert.equal(new SuccessorSeal('another-secret-key-another-secret-key').open(sealed, 'parent-hash'), null);
    // Change the second-to-last character (six data bits of the tag) to another one.
    const flipped = `${sealed.slice(0, -2)}${sealed.at(-2) === 'A' ? 'B' : 'A'}${sealed.slice(-1)}`;
    assert.notEqual(flipped, sealed);
    assert.equal(seal.open(flipped, 'parent-hash'), null);
    assert.equal(seal.open('v1.short', 'parent-hash'), null);
    assert.equal(seal.open('garbage', 'parent-hash'), null);
  });
});

for (const backend of BACKENDS) {
  describe(`rotated refresh token presented again (${backend})`, () => {
    let h: Harness;
    before(async () => {
      h = await harness(backend);
      await addClient(h.store, { client_id: 'rc', grant_types: ['password', 'refresh_token'], scope: 'a' });
    });
    after(async () => { await h.close(); });

    let n = 0;
    /** Family with token A rotated at `usedAt` into B; `grace`: B kept sealed until usedAt + grace. */
    async function rotated(usedAt: number, grace = 0, sealWith = h?.seal) {
      const id = `rot-${n++}`;
      const [a, b] = [`${id}-A`, `${id}-B`];
      const row = (t: string) => ({ hash: hashToken(t), family_id: id, client_id: 'rc', user_id: null, scope: 'a', resource: null, expires_at: T0 + 3600, created_at: T0 });
      await h.store.tokens.persistIssue({ family: { id, client_id: 'rc', user_id: null, created_at: T0 }, refresh: row(a) }, T0);
      await h.store.tokens.persistIssue({
        consume: {
          kind: 'refresh_token', hash: hashToken(a),
          successor: { hash: hashToken(b), enc: grace > 0 ? sealWith!.seal(b, hashToken(a)) : null, until: grace > 0 ? usedAt + grace : null },
        },
        refresh: row(b),
      }, usedAt);
      return { id, a, b };
    }
    const present = async (token: string, now: number) =>
      refreshTokenGrant({ tokens: h.store.tokens, seal: h.seal }).handle({ client: (await h.store.clients.get('rc'))!, params: { refresh_token: token }, now });
    const revoked = async (family: string) => (await h.store.tokens.findFamily(family))?.revoked_at !== null;

    it('within the race window, with an unused successor: invalid_grant, family kept', async () => {
      const f = await rotated(T0);
      await assert.rejects(present(f.a, T0 + RACE_WINDOW_SECONDS), { code: 'invalid_grant', description: 'refresh token has already been used' });
      assert.equal(await revoked(f.id), false);
      assert.equal((await present(f.b, T0 + RACE_WINDOW_SECONDS)).rotated?.hash, hashToken(f.b));
    });

    it('after the race window: reuse, the family is revoked', async () => {
      const f = await rotated(T0);
      await assert.rejects(present(f.a, T0 + RACE_WINDOW_SECONDS + 1), { code: 'invalid_grant' });
      assert.equal(await revoked(f.id), true);
    });

    it('within the race window but the successor already rotated: reuse', async () => {
      const f = await rotated(T0);
      assert.equal(await h.store.tokens.persistIssue({ consume: { kind: 'refresh_token', hash: hashToken(f.b) } }, T0), true);
      await assert.rejects(present(f.a, T0 + 1), { code: 'invalid_grant' });
      assert.equal(await revoked(f.id), true);
    });

    it('grace period: the same successor again until it ends, then reuse', async () => {
      const f = await rotated(T0, 30);
      for (const now of [T0, T0 + 29, T0 + 30]) {
        const o = await present(f.a, now);
        assert.equal(o.reissued?.token, f.b);
        assert.equal(o.rotated, undefined, 'nothing is consumed');
      }
      await assert.rejects(present(f.a, T0 + 31), { code: 'invalid_grant' });
      assert.equal(await revoked(f.id), true);
    });

    it('grace period: once the successor has been rotated, the parent is reuse', async () => {
      const f = await rotated(T0, 30);
      assert.equal(await h.store.tokens.persistIssue({ consume: { kind: 'refresh_token', hash: hashToken(f.b) } }, T0 + 5), true);
      await assert.rejects(present(f.a, T0 + 6), { code: 'invalid_grant' });
      assert.equal(await revoked(f.id), true);
    });

    it('grace period: a successor sealed under another secret key is never handed out', async () => {
      const f = await rotated(T0, 30, new SuccessorSeal('another-secret-key-another-secret-key'));
      // Within the race window: refused but kept; later: reuse.
      await assert.rejects(present(f.a, T0 + 1), { code: 'invalid_grant' });
      assert.equal(await revoked(f.id), false);
      await assert.rejects(present(f.a, T0 + 10), { code: 'invalid_grant' });
      assert.equal(await revoked(f.id), true);
    });

    it('grace period: the successor cleared by forgetSuccessors is not handed out', async () => {
      const f = await rotated(T0, 30);
      assert.ok(await h.store.tokens.forgetSuccessors(T0 + 31, 1000) >= 1);
      await assert.rejects(present(f.a, T0 + 10), { code: 'invalid_grant' });
      assert.equal(await revoked(f.id), true);
    });
  });
}

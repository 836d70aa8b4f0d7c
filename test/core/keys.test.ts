import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KeyEncryption, KeyManager } from '../../src/core/keys.js';
import { BACKENDS } from '../helpers/stores.js';
import { harness, type Harness } from './harness.js';

describe('key encryption at rest', () => {
  it('round-trips, and a different secret cannot decrypt', () => {
    const box = new KeyEncryption('a'.repeat(40)).encrypt('{"d":"private"}');
    assert.ok(!box.includes('private'));
    assert.equal(new KeyEncryption('a'.repeat(40)).decrypt(box), '{"d":"private"}');
    assert.throws(() => new KeyEncryption('b'.repeat(40)).decrypt(box));
  });
});

for (const backend of BACKENDS) {
  describe(`key manager (${backend})`, () => {
    let h: Harness;
    before(async () => { h = await harness(backend); });
    after(async () => { await h.close(); });

    it('stores only encrypted private keys; another instance sees a rotation after a reload', async () => {
      const a = new KeyManager(h.store.keys, 's'.repeat(40), () => 3600);
      const b = new KeyManager(h.store.keys, 's'.repeat(40), () => 3600);
      await a.load();
      const first = await a.current('ES256');
      for (const k of await h.store.keys.list()) assert.ok(!k.private_jwk_enc.includes('"d"'));
      await b.load();
      assert.equal(b.currentSync('ES256')?.kid, first.kid);
      const second = await a.rotate('ES256');
      // b does not know the new kid yet; the throttled reload picks it up once.
      assert.equal((await b.byKidReloading(second.kid))?.kid, second.kid);
      assert.equal(await b.byKidReloading('made-up-kid'), undefined);
      const jwks = a.jwks().keys.map((k) => k.kid);
      assert.ok(jwks.includes(first.kid) && jwks.includes(second.kid), 'the retired key stays published');
    });

    it('a retired key is dropped once every token it signed has expired', async () => {
      const m = new KeyManager(h.store.keys, 's'.repeat(40), () => 0);
      await m.load();
      const old = await m.current('EdDSA');
      await m.rotate('EdDSA'); // retires `old` now
      await new Promise((r) => setTimeout(r, 1100));
      await m.load();
      assert.equal(m.byKid(old.kid), undefined);
    });
  });
}

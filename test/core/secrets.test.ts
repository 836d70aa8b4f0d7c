import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { estimateEntropyBits, generateClientSecret, hashClientSecret, hashToken, randomToken, verifyClientSecret } from '../../src/core/secrets.js';

describe('secrets', () => {
  it('random tokens carry at least 128 bits and are stored as SHA-256', () => {
    const t = randomToken();
    assert.ok(Buffer.from(t, 'base64url').length >= 16);
    assert.notEqual(randomToken(), t);
    assert.equal(hashToken(t).length, 43);
    assert.notEqual(hashToken(t), t);
  });

  it('generated secrets get a fast salted hash; weak ones argon2id; neither stores plaintext', async () => {
    const strong = generateClientSecret();
    assert.ok(estimateEntropyBits(strong) >= 128);
    const hs = await hashClientSecret(strong);
    assert.match(hs, /^sha256\$/);
    assert.ok(!hs.includes(strong));
    assert.equal(await verifyClientSecret(strong, hs), true);
    assert.equal(await verifyClientSecret(`${strong}x`, hs), false);
    const hw = await hashClientSecret('secret');
    assert.match(hw, /^\$argon2id\$/);
    assert.equal(await verifyClientSecret('secret', hw), true);
    assert.equal(await verifyClientSecret('Secret', hw), false);
  });

  it('fast-path secret checks are quick (client_credentials must not be slow)', async () => {
    const s = generateClientSecret();
    const h = await hashClientSecret(s);
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) await verifyClientSecret(s, h);
    assert.ok(performance.now() - t0 < 500, 'a thousand checks well under a second');
  });

});

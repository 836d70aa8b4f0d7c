// core/password.ts: every argon2id verification (user passwords, the unknown-user dummy,
// argon2id client secrets and the client-auth burn) goes through the process's one pool,
// on the hashing threads; a full pool refuses before any hashing.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { SecretCheck } from '../../src/core/client-auth/secret-check.js';
import { configurePasswordHashing, DEFAULT_PASSWORD_HASHING, hashPassword, passwordPool, verifyAgainstDummy, verifyPassword } from '../../src/core/password.js';
import { hashClientSecret } from '../../src/core/secrets.js';
import type { Client } from '../../src/core/types.js';

const overloaded = { status: 503, code: 'temporarily_unavailable', reason: 'overloaded' };

/** Occupy every slot of the pool until the returned function is called. */
function occupy(slots: number): () => Promise<void> {
  const releases: (() => void)[] = [];
  const held = Array.from({ length: slots }, () => passwordPool.run(() => new Promise<void>((r) => releases.push(r))));
  return async () => { for (const r of releases) r(); await Promise.all(held); };
}

describe('password hashing pool', () => {
  after(() => configurePasswordHashing(DEFAULT_PASSWORD_HASHING));

  it('verifies on the hashing threads: right, wrong, and a malformed stored hash never verifies', async () => {
    configurePasswordHashing({ concurrency: 2, queue: 8 });
    const stored = await hashPassword('correct horse');
    assert.equal(await verifyPassword(stored, 'correct horse'), true);
    assert.equal(await verifyPassword(stored, 'battery staple'), false);
    assert.equal(await verifyPassword('$argon2id$nonsense', 'x'), false);
    assert.equal(await verifyPassword('', 'x'), false);
    assert.equal(await verifyAgainstDummy('anything'), false);
  });

  it('runs at most `concurrency` verifications at once, queues the rest, and they all finish', async () => {
    configurePasswordHashing({ concurrency: 2, queue: 8 });
    const stored = await hashPassword('pw');
    let peak = 0;
    let peakQueued = 0;
    const sampler = setInterval(() => { const s = passwordPool.stats(); peak = Math.max(peak, s.inUse); peakQueued = Math.max(peakQueued, s.queued); }, 1);
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => verifyPassword(stored, i === 0 ? 'pw' : 'nope')));
    clearInterval(sampler);
    assert.deepEqual(results, [true, false, false, false, false, false]);
    assert.equal(peak, 2);
    assert.ok(peakQueued >= 3, `queued ${peakQueued}`);
  });

  it('a full pool refuses user passwords, the unknown-user dummy and argon2id client secrets at once', async () => {
    configurePasswordHashing({ concurrency: 1, queue: 0 });
    const stored = await hashPassword('pw');
    const weak = await hashClientSecret('weak'); // argon2id: under 128 bits
    const strong = 'a-long-random-secret-0123456789-abcdefghij';
    const fast = await hashClientSecret(strong); // salted SHA-256
    const client = (hash: string): Client => ({ client_id: `c-${hash.slice(0, 8)}`, client_secret_hash: hash } as Client);
    const secrets = new SecretCheck();
    const release = occupy(1);
    const t0 = performance.now();
    await assert.rejects(verifyPassword(stored, 'pw'), overloaded);
    await assert.rejects(verifyAgainstDummy('pw'), overloaded);
    await assert.rejects(secrets.matches(client(weak), 'weak'), overloaded);
    await assert.rejects(secrets.matches(client(weak), 'wrong'), overloaded);
    await assert.rejects(secrets.unknownClient('guess'), overloaded);
    // A SHA-256 client's wrong secret burns a dummy argon2id verify: refused alike.
    await assert.rejects(secrets.matches(client(fast), 'wrong'), overloaded);
    // ... and its right secret needs no argon2 at all: client_credentials goes on.
    assert.equal(await secrets.matches(client(fast), strong), true);
    assert.ok(performance.now() - t0 < 50, `refusals took ${performance.now() - t0} ms`);
    await release();
    assert.equal(await secrets.matches(client(weak), 'weak'), true);
    assert.equal(await verifyPassword(stored, 'pw'), true);
  });
});

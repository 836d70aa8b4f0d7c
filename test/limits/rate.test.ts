// The rate-limit policy on a fake clock: exact Retry-After as a bucket refills, keys per
// address (/64 for IPv6) and per confidential client, public clients exempt, refusals counted.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isOAuthError, type OAuthError } from '../../src/core/errors.js';
import type { Client } from '../../src/core/types.js';
import { MemoryLimitStore } from '../../src/limits/memory.js';
import { RateLimits, type ThrottleReason } from '../../src/limits/rate.js';

const confidential = { client_id: 'svc', token_endpoint_auth_method: 'client_secret_basic' } as Client;
const publicClient = { client_id: 'spa', token_endpoint_auth_method: 'none' } as Client;

function setup(config: ConstructorParameters<typeof RateLimits>[1]) {
  let now = 1_000_000;
  const store = new MemoryLimitStore({ now: () => now });
  const refused: ThrottleReason[] = [];
  const limits = new RateLimits(store, config, (r) => refused.push(r));
  return { limits, refused, store, advance: (ms: number) => { now += ms; } };
}

async function retryAfter(p: Promise<void>): Promise<string | null> {
  try { await p; return null; } catch (e) {
    assert.ok(isOAuthError(e));
    const err = e as OAuthError;
    assert.equal(err.status, 429);
    assert.equal(err.reason, 'throttled');
    assert.equal(err.code, 'temporarily_unavailable');
    return err.headers['retry-after'] ?? 'missing';
  }
}

describe('rate limits (policy)', () => {
  it('an address: burst, then exact Retry-After falling as the bucket refills', async () => {
    const { limits, refused, store, advance } = setup({ ip: { rate: 0.2, burst: 3 }, client: false });
    for (let i = 0; i < 3; i++) assert.equal(await retryAfter(limits.admitAddress('192.0.2.1')), null);
    assert.equal(await retryAfter(limits.admitAddress('192.0.2.1')), '5');
    advance(1000);
    assert.equal(await retryAfter(limits.admitAddress('192.0.2.1')), '4');
    advance(3500);
    assert.equal(await retryAfter(limits.admitAddress('192.0.2.1')), '1');
    advance(500);
    assert.equal(await retryAfter(limits.admitAddress('192.0.2.1')), null);
    assert.equal(await retryAfter(limits.admitAddress('192.0.2.2')), null, 'another address, another bucket');
    assert.deepEqual(refused, ['ip_rate', 'ip_rate', 'ip_rate']);
    await store.close();
  });

  it('IPv6: one bucket per /64', async () => {
    const { limits, store } = setup({ ip: { rate: 1, burst: 1 }, client: false });
    assert.equal(await retryAfter(limits.admitAddress('2001:db8:1:2::1')), null);
    assert.equal(await retryAfter(limits.admitAddress('2001:db8:1:2:ffff::2')), '1');
    assert.equal(await retryAfter(limits.admitAddress('2001:db8:1:3::1')), null);
    await store.close();
  });

  it('a confidential client has a bucket of its own; a public client none', async () => {
    const { limits, refused, store } = setup({ ip: false, client: { rate: 0.5, burst: 2 } });
    assert.equal(await retryAfter(limits.admitClient(confidential)), null);
    assert.equal(await retryAfter(limits.admitClient(confidential)), null);
    assert.equal(await retryAfter(limits.admitClient(confidential)), '2');
    for (let i = 0; i < 5; i++) assert.equal(await retryAfter(limits.admitClient(publicClient)), null);
    assert.equal(await retryAfter(limits.admitAddress('192.0.2.1')), null, 'ip: false');
    assert.deepEqual(refused, ['client_rate']);
    await store.close();
  });

  it('rate_limit: false consults no bucket', async () => {
    const { limits, store } = setup(false);
    let gates = 0;
    const gate = store.gate.bind(store);
    store.gate = (g) => { gates++; return gate(g); };
    await limits.admitAddress('192.0.2.1');
    await limits.admitClient(confidential);
    assert.equal(gates, 0);
    await store.close();
  });
});

// One block per client authentication method (RFC 6749 §2.3).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { authenticateClient } from '../../src/core/client-auth/index.js';
import { SecretCheck } from '../../src/core/client-auth/secret-check.js';
import { verifyAgainstDummy } from '../../src/core/password.js';
import { verifyClientSecret } from '../../src/core/secrets.js';
import { parseBasic, presentedCredentials } from '../../src/http/credentials.js';
import { BACKENDS } from '../helpers/stores.js';
import { addClient, harness, type Harness } from './harness.js';

const SECRET = 'a-long-random-secret-0123456789-abcdefghij';

for (const backend of BACKENDS) {
  describe(`client authentication (${backend})`, () => {
    let h: Harness;
    before(async () => {
      h = await harness(backend);
      await addClient(h.store, { client_id: 'conf', client_secret: SECRET });
      await addClient(h.store, { client_id: 'weak', client_secret: 'pw' });
      await addClient(h.store, { client_id: 'pub', grant_types: ['password'] });
    });
    after(async () => { await h.close(); });

    it('client_secret_basic: right secret passes, wrong one is invalid_client with a Basic challenge', async () => {
      const ok = await authenticateClient(h.store.clients, { method: 'client_secret_basic', client_id: 'conf', client_secret: SECRET });
      assert.equal(ok.client_id, 'conf');
      await assert.rejects(authenticateClient(h.store.clients, { method: 'client_secret_basic', client_id: 'conf', client_secret: 'x' }),
        (e: { code: string; status: number; headers: Record<string, string> }) => e.code === 'invalid_client' && e.status === 401 && /^Basic/.test(e.headers['www-authenticate'] ?? ''));
    });

    /** A SecretCheck whose hashing counts what it is asked to do. */
    const counting = () => {
      const calls = { verify: 0, burn: 0 };
      const secrets = new SecretCheck({
        verify: async (secret, stored) => { calls.verify++; return verifyClientSecret(secret, stored); },
        burn: async (secret) => { calls.burn++; return verifyAgainstDummy(secret); },
      });
      const auth = (client_id: string, client_secret: string) =>
        authenticateClient(h.store.clients, { method: 'client_secret_basic', client_id, client_secret }, secrets);
      return { calls, auth };
    };

    it('the verified-secret cache spares only the remembered secret its slow verification', async () => {
      const { calls, auth } = counting();
      await auth('weak', 'pw');
      assert.equal(calls.verify, 1);
      await auth('weak', 'pw');
      assert.equal(calls.verify, 1, 'the remembered secret is not verified again');
      // A wrong guess must not get the cache's speed: it is verified in full, every time.
      await assert.rejects(auth('weak', 'pW'), { code: 'invalid_client' });
      await assert.rejects(auth('weak', 'pX'), { code: 'invalid_client' });
      assert.equal(calls.verify, 3, 'each wrong secret went through full verification');
      await auth('weak', 'pw');
      assert.equal(calls.verify, 3, 'the remembered secret is still remembered');
      assert.equal(calls.burn, 0, 'an argon2id failure needs no extra cost');
    });

    it('a failure costs one argon2id verification whoever the client: unknown ids and SHA-256 clients burn one', async () => {
      const { calls, auth } = counting();
      await assert.rejects(auth('ghost', 'pw'), { code: 'invalid_client' });
      assert.deepEqual(calls, { verify: 0, burn: 1 });
      await assert.rejects(auth('conf', 'x'), { code: 'invalid_client' });
      assert.deepEqual(calls, { verify: 1, burn: 2 });
      await auth('conf', SECRET);
      assert.deepEqual(calls, { verify: 2, burn: 2 }, 'a right SHA-256 secret stays fast');
    });

    it('unknown client ids take about as long as a wrong secret for a known argon2id client', async () => {
      const time = async (client_id: string, client_secret: string) => {
        const t0 = performance.now();
        await authenticateClient(h.store.clients, { method: 'client_secret_basic', client_id, client_secret }).catch(() => undefined);
        return performance.now() - t0;
      };
      const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      const argon: number[] = [];
      const unknown: number[] = [];
      const fast: number[] = [];
      for (let i = 0; i < 9; i++) {
        argon.push(await time('weak', `guess-${i}`));
        unknown.push(await time(`ghost-${i}`, `guess-${i}`));
        fast.push(await time('conf', `guess-${i}`));
      }
      // Generous, as other processes share the CPU: an argon2id verify takes milliseconds, an
      // HMAC (what an unknown id cost before) a few microseconds.
      assert.ok(median(unknown) > median(argon) / 10, `unknown ${median(unknown)} ms vs argon2id ${median(argon)} ms`);
      assert.ok(median(fast) > median(argon) / 10, `SHA-256 failure ${median(fast)} ms vs argon2id ${median(argon)} ms`);
    });

    it('client_secret_post: same rules, no Basic challenge', async () => {
      const ok = await authenticateClient(h.store.clients, { method: 'client_secret_post', client_id: 'conf', client_secret: SECRET });
      assert.equal(ok.client_id, 'conf');
      await assert.rejects(authenticateClient(h.store.clients, { method: 'client_secret_post', client_id: 'conf', client_secret: 'x' }),
        (e: { code: string; headers: Record<string, string> }) => e.code === 'invalid_client' && e.headers['www-authenticate'] === undefined);
      await assert.rejects(authenticateClient(h.store.clients, { method: 'client_secret_post', client_id: 'ghost', client_secret: 'x' }), { code: 'invalid_client' });
    });

    it('none: only public clients, and only without a secret', async () => {
      const ok = await authenticateClient(h.store.clients, { method: 'none', client_id: 'pub', client_secret: undefined });
      assert.equal(ok.client_id, 'pub');
      await assert.rejects(authenticateClient(h.store.clients, { method: 'none', client_id: 'conf', client_secret: undefined }), { code: 'invalid_client' });
      await assert.rejects(authenticateClient(h.store.clients, { method: 'client_secret_post', client_id: 'pub', client_secret: 'anything' }), { code: 'invalid_client' });
      await assert.rejects(authenticateClient(h.store.clients, { method: 'none', client_id: undefined, client_secret: undefined }), { code: 'invalid_client' });
    });
  });
}

describe('presented credentials', () => {
  it('Basic id and secret are form-url-decoded (RFC 6749 §2.3.1)', () => {
    const h = `Basic ${Buffer.from('my%3Aid:p%40ss+word').toString('base64')}`;
    assert.deepEqual(parseBasic(h), { id: 'my:id', secret: 'p@ss word' });
  });
  it('two methods in one request are invalid_request; body id must match Basic', () => {
    const h = `Basic ${Buffer.from('a:b').toString('base64')}`;
    assert.throws(() => presentedCredentials(h, { client_secret: 'b' }), { code: 'invalid_request' });
    assert.throws(() => presentedCredentials(h, { client_id: 'other' }), { code: 'invalid_request' });
    assert.equal(presentedCredentials(h, { client_id: 'a' }).method, 'client_secret_basic');
    assert.equal(presentedCredentials(undefined, { client_id: 'a', client_secret: 'b' }).method, 'client_secret_post');
    assert.equal(presentedCredentials(undefined, { client_id: 'a' }).method, 'none');
  });
});

// One block per client authentication method (RFC 6749 §2.3).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { authenticateClient } from '../../src/core/client-auth/index.js';
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
      // Twice, to exercise the verified-secret cache in both directions.
      await authenticateClient(h.store.clients, { method: 'client_secret_basic', client_id: 'weak', client_secret: 'pw' });
      await authenticateClient(h.store.clients, { method: 'client_secret_basic', client_id: 'weak', client_secret: 'pw' });
      await assert.rejects(authenticateClient(h.store.clients, { method: 'client_secret_basic', client_id: 'weak', client_secret: 'pW' }), { code: 'invalid_client' });
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

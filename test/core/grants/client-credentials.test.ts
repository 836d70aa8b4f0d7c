import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { clientCredentialsGrant } from '../../../src/core/grants/client_credentials.js';
import { BACKENDS } from '../../helpers/stores.js';
import { addClient, harness, now, type Harness } from '../harness.js';

for (const backend of BACKENDS) {
  describe(`client_credentials grant (${backend})`, () => {
    let h: Harness;
    before(async () => { h = await harness(backend); });
    after(async () => { await h.close(); });

    it('grants all of the client scopes when none are asked, never a refresh token', async () => {
      const client = await addClient(h.store, { client_id: 'c1', client_secret: 'x'.repeat(10), resources: ['https://r'] });
      const o = await clientCredentialsGrant().handle({ client, params: {}, now: now() });
      assert.deepEqual({ user: o.user, scope: o.scope, resource: o.resource, mayRefresh: o.mayRefresh }, { user: null, scope: 'read write', resource: null, mayRefresh: false });
    });

    it('a subset is granted; outside the client scopes is invalid_scope; resource is checked', async () => {
      const client = await addClient(h.store, { client_id: 'c2', client_secret: 'y'.repeat(10), resources: ['https://r'] });
      const o = await clientCredentialsGrant().handle({ client, params: { scope: 'write', resource: 'https://r' }, now: now() });
      assert.equal(o.scope, 'write');
      assert.equal(o.resource, 'https://r');
      await assert.rejects(clientCredentialsGrant().handle({ client, params: { scope: 'admin' }, now: now() }), { code: 'invalid_scope' });
      await assert.rejects(clientCredentialsGrant().handle({ client, params: { resource: 'https://other' }, now: now() }), { code: 'invalid_target' });
    });
  });
}

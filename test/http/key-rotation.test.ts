// Key rotation never cuts a token short: a new key is in the JWKS before any instance signs
// with it, every instance switches at the same stored activation time, and a token signed
// by the previous key keeps verifying and introspecting active.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { KeyManager } from '../../src/core/keys.js';
import { BACKENDS } from '../helpers/stores.js';
import { basic, postForm, SECRET_KEY, startTestServer, type TestServer } from '../helpers/server.js';
import { SECRETS, standardConfig } from './fixtures.js';

const kidOf = (jwt: string) => decodeProtectedHeader(jwt).kid;

async function token(srv: TestServer): Promise<string> {
  const r = await postForm(`${srv.url}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: basic('svc', SECRETS.svc) });
  assert.equal(r.status, 200, r.text);
  return r.json.access_token as string;
}

async function jwksKids(srv: TestServer): Promise<string[]> {
  return ((await (await fetch(`${srv.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
}

for (const backend of BACKENDS) {
  describe(`key rotation (${backend})`, () => {
    let a: TestServer;
    let b: TestServer;
    before(async () => {
      a = await startTestServer(backend, standardConfig);
      // A second instance on the same database, behind the same issuer name.
      b = await startTestServer(backend, { ...standardConfig, database: a.tessera.config.database });
      b.tessera.config.issuer = a.url;
    });
    after(async () => {
      await b.close();
      await a.close();
    });

    it('publishes the new key first; both instances switch at its activation time; old tokens stay valid', async () => {
      const old = await token(a);
      const oldKid = kidOf(old);
      assert.equal(kidOf(await token(b)), oldKid);

      // `tessera keys rotate`, as the CLI does it (its own KeyManager on the store), with a
      // short publication time so the test need not wait key_publish_ahead.
      const cli = new KeyManager(a.tessera.store.keys, SECRET_KEY, () => 3600, { publishAhead: 4 });
      await cli.load();
      const next = await cli.rotate('ES256');
      // Each instance's periodic reload.
      await a.tessera.keys.load();
      await b.tessera.keys.load();

      for (const srv of [a, b]) {
        assert.deepEqual((await jwksKids(srv)).filter((k) => k === next.kid || k === oldKid).sort(), [next.kid, oldKid].sort());
        assert.equal(kidOf(await token(srv)), oldKid, 'no instance signs with a key relying parties may not have yet');
      }

      // Past the stored activation time, with no reload: both sign with the new key.
      await new Promise((r) => setTimeout(r, next.activatesAt * 1000 - Date.now() + 50));
      assert.equal(kidOf(await token(a)), next.kid);
      assert.equal(kidOf(await token(b)), next.kid);

      // The token signed before the switch verifies against the JWKS and introspects active.
      await a.tessera.keys.load();
      for (const srv of [a, b]) {
        const { payload } = await jwtVerify(old, createRemoteJWKSet(new URL(`${srv.url}/.well-known/jwks.json`)));
        assert.equal(payload.client_id, 'svc');
        const r = await postForm(`${srv.url}/oauth2/introspect`, { token: old }, { authorization: basic('svc', SECRETS.svc) });
        assert.equal(r.json.active, true, r.text);
      }
    });

    it('the JWKS cache age is one the key publication time covers', async () => {
      const res = await fetch(`${a.url}/.well-known/jwks.json`);
      const maxAge = Number(/max-age=(\d+)/.exec(res.headers.get('cache-control') ?? '')?.[1]);
      assert.ok(maxAge > 0 && maxAge <= a.tessera.config.key_publish_ahead, `max-age ${maxAge}`);
    });
  });
}

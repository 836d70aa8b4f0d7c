// A secret typed into an identifier field must not be recoverable from the log: unmatched
// identifiers are logged as an HMAC under a key derived from the secret key, the same on
// every instance that shares it.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import pino from 'pino';
import { BACKENDS } from '../helpers/stores.js';
import { basic, postForm, SECRET_KEY, startTestServer } from '../helpers/server.js';
import { SECRETS, standardConfig } from './fixtures.js';

const TYPED_PASSWORD = 'Tr0ub4dor&3';

/** Starts a server, presents TYPED_PASSWORD as a username and as a client id, returns the two logged fingerprints. */
async function fingerprintsWith(backend: 'sqlite' | 'postgres', secretKey: string): Promise<string[]> {
  const lines: string[] = [];
  const sink = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
  const srv = await startTestServer(backend, { ...standardConfig, secret_key: secretKey }, { log: pino({ level: 'info' }, sink) });
  try {
    await postForm(`${srv.url}/oauth2/token`, { grant_type: 'password', username: TYPED_PASSWORD, password: 'x' }, { authorization: basic('app', SECRETS.app) });
    await postForm(`${srv.url}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: basic(TYPED_PASSWORD, 'x') });
  } finally {
    await srv.close();
  }
  const all = lines.join('');
  assert.ok(!all.includes(TYPED_PASSWORD));
  const user = /unknown username (\S+?)"/.exec(all)?.[1];
  const client = /unknown client id (\S+?)"/.exec(all)?.[1];
  assert.ok(user && client, all);
  return [user, client];
}

for (const backend of BACKENDS) {
  describe(`log fingerprints (${backend})`, () => {
    it('are keyed: no plain hash of the value, stable for one secret key, different for another', async () => {
      const [user, client] = await fingerprintsWith(backend, SECRET_KEY);
      assert.equal(user, client, 'one value, one fingerprint, whichever field it was typed in');
      // What someone holding only the log could compute from a word list.
      const plain = createHash('sha256').update(TYPED_PASSWORD).digest('hex');
      assert.ok(!user!.includes(plain.slice(0, 8)), `${user} is a plain SHA-256 of the value`);
      // Restarts and other instances with the same secret key: the same fingerprint.
      assert.deepEqual(await fingerprintsWith(backend, SECRET_KEY), [user, client]);
      assert.notEqual((await fingerprintsWith(backend, `${SECRET_KEY}-another-installation`))[0], user);
    });
  });
}

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import pino from 'pino';
import { applyEnv, loadConfig } from '../../src/config/load.js';
import { validateConfig } from '../../src/config/validate.js';
import { applyConfigEntities } from '../../src/entities.js';
import { openStore } from '../../src/store/index.js';
import { BACKENDS, makeDatabase } from '../helpers/stores.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'tessera-config-'));

describe('configuration', () => {
  it('defaults match the documented ones', () => {
    const c = validateConfig({});
    assert.equal(c.issuer, 'http://127.0.0.1:8080');
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.port, 8080);
    assert.equal(c.database, 'sqlite:./data/tessera.db');
    assert.equal(c.access_token_ttl, 3600);
    assert.equal(c.refresh_token_ttl, 2592000);
    assert.equal(c.signing_alg, 'ES256');
    assert.equal(c.key_publish_ahead, 600);
    assert.deepEqual(c.dialects, ['o', 'apk', 'hcx', 'v1']);
  });

  it('problems name the key', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ port: 'abc' }, /config: port: must be a whole number/],
      [{ signing_alg: 'HS256' }, /config: signing_alg: must be one of ES256, RS256, PS256, EdDSA/],
      [{ database: 'mysql://x' }, /config: database:/],
      [{ clients: [{ client_id: 'a', client_secret: 's', grant_types: ['implicit'] }] }, /config: clients\[0\]\.grant_types: unknown grant type "implicit"/],
      [{ clients: [{ client_id: 'a', grant_types: ['client_credentials'] }] }, /config: clients\[0\]\.grant_types: a public client cannot use client_credentials/],
      [{ clients: [{ client_id: 'a', client_secret: 's' }, { client_id: 'a', client_secret: 's' }] }, /config: clients\[1\]: duplicate entry "a"/],
      [{ users: [{ username: 'u' }] }, /config: users\[0\]\.password: is required/],
      [{ colour: 'blue' }, /config: colour: is not a known key/],
      [{ clients: [{ client_id: 'a', client_secret: 's', scope: 'read "all"' }] }, /config: clients\[0\]\.scope: "\\"all\\"" is not a valid scope token/],
      [{ tls_cert: 'a.pem' }, /config: tls_key: tls_cert and tls_key must be set together/],
      // A new key must outlast every cached JWKS (max-age 300) and every instance's reload (60 s).
      [{ key_publish_ahead: 359 }, /config: key_publish_ahead: must be at least 360 s/],
    ];
    assert.equal(validateConfig({ key_publish_ahead: 360 }).key_publish_ahead, 360);
    for (const [raw, msg] of cases) assert.throws(() => validateConfig(raw), msg);
  });

  it('TESSERA_<KEY> overrides each top-level key', () => {
    const raw = applyEnv({ port: 9000, issuer: 'https://a.example' }, {
      TESSERA_PORT: '9100', TESSERA_ISSUER: 'https://b.example', TESSERA_DIALECTS: 'o,v1', TESSERA_SECRET_KEY: 'k'.repeat(40),
      TESSERA_CLIENTS: '[{"client_id":"env","client_secret":"s3"}]',
    });
    const c = validateConfig(raw);
    assert.equal(c.port, 9100);
    assert.equal(c.issuer, 'https://b.example');
    assert.deepEqual(c.dialects, ['o', 'v1']);
    assert.equal(c.secret_key, 'k'.repeat(40));
    assert.equal(c.clients[0]?.client_id, 'env');
  });

  it('reads YAML and JSON files', () => {
    const y = join(dir, 'a.yaml');
    writeFileSync(y, 'port: 8181\nclients:\n  - client_id: y\n    client_secret: s\n    scope: "a b"\n');
    assert.equal(loadConfig(y, {}).clients[0]?.scope, 'a b');
    const j = join(dir, 'a.json');
    writeFileSync(j, JSON.stringify({ port: 8282 }));
    assert.equal(loadConfig(j, {}).port, 8282);
  });

  it('a bad file makes the CLI exit with code 2 and a message naming the key', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'port: "not-a-port"\n');
    const err = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '--config', bad, 'serve']).then(() => null, (e: { code: number; stderr: string }) => e);
    assert.ok(err, 'must fail');
    assert.equal(err.code, 2);
    assert.match(err.stderr, /port/);
  });
});

for (const backend of BACKENDS) {
  describe(`config entities are applied idempotently (${backend})`, () => {
    it('create, update, never duplicate; keep the secret hash when unchanged; report removed entries', async () => {
      const db = await makeDatabase(backend);
      const store = await openStore(db.url);
      try {
        await store.migrate();
        const lines: string[] = [];
        const log = pino({ level: 'info' }, { write: (l: string) => { lines.push(l); } });
        const cfg = validateConfig({
          participants: [{ participant_code: 'p1' }],
          clients: [{ client_id: 'c1', client_secret: 'secret-one', scope: 'a' }, { client_id: 'c2', client_secret: 'x'.repeat(40) }],
          users: [{ username: 'u1', password: 'pw1', participant_code: 'p1' }],
        });
        await applyConfigEntities(store, cfg, log);
        const first = await store.clients.get('c1');
        const user1 = await store.users.getByUsername('u1');
        await applyConfigEntities(store, cfg, log);
        assert.equal((await store.clients.list()).length, 2);
        assert.equal((await store.clients.get('c1'))?.client_secret_hash, first?.client_secret_hash);
        assert.equal((await store.users.getByUsername('u1'))?.id, user1?.id);
        assert.ok(!JSON.stringify(await store.clients.list()).includes('secret-one'), 'no plaintext secret stored');
        const changed = validateConfig({ clients: [{ client_id: 'c1', client_secret: 'secret-one', scope: 'a b' }], users: [], participants: [] });
        await applyConfigEntities(store, changed, log);
        assert.equal((await store.clients.get('c1'))?.scope, 'a b');
        assert.ok(await store.clients.get('c2'), 'an entry removed from the file is not deleted');
        assert.ok(lines.some((l) => l.includes('not in the config file') && l.includes('c2')));
      } finally {
        await store.close();
        await db.cleanup();
      }
    });
  });
}

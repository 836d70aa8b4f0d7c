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
import { applyEntities } from '../../src/entities.js';
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
    assert.equal(c.refresh_token_idle_ttl, undefined);
  });

  it('reads disabled and refresh_token_idle_ttl on clients and users', () => {
    const c = validateConfig({
      refresh_token_idle_ttl: '600',
      clients: [{ client_id: 'a', client_secret: 's', disabled: true, refresh_token_idle_ttl: 60 }, { client_id: 'b', client_secret: 's' }],
      users: [{ username: 'u', password: 'p', disabled: 'false' }],
    });
    assert.equal(c.refresh_token_idle_ttl, 600);
    assert.equal(c.clients[0]?.disabled, true);
    assert.equal(c.clients[0]?.refresh_token_idle_ttl, 60);
    assert.equal(c.clients[1]?.disabled, undefined);
    assert.equal(c.users[0]?.disabled, false);
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
      [{ refresh_token_idle_ttl: 0 }, /config: refresh_token_idle_ttl: must be a whole number from 1/],
      [{ clients: [{ client_id: 'a', client_secret: 's', refresh_token_idle_ttl: 'soon' }] }, /config: clients\[0\]\.refresh_token_idle_ttl: must be a whole number/],
      [{ clients: [{ client_id: 'a', client_secret: 's', disabled: 'yes' }] }, /config: clients\[0\]\.disabled: must be true or false/],
      [{ users: [{ username: 'u', password: 'p', disabled: 1 }] }, /config: users\[0\]\.disabled: must be true or false/],
      // A new key must outlast every cached JWKS (max-age 300) and every instance's reload (60 s).
      [{ key_publish_ahead: 359 }, /config: key_publish_ahead: must be at least 360 s/],
    ];
    assert.equal(validateConfig({ key_publish_ahead: 360 }).key_publish_ahead, 360);
    for (const [raw, msg] of cases) assert.throws(() => validateConfig(raw), msg);
  });

  it('an http issuer must be loopback unless allow_insecure_issuer (RFC 8414 §2)', () => {
    const refused: Record<string, unknown>[] = [
      { host: '0.0.0.0' }, { host: '10.0.0.5', port: 9000 }, { issuer: 'http://auth.example.com' },
      { issuer: 'http://127.0.0.1.example.com' }, { issuer: 'http://localhost.example.com' },
      { host: '0.0.0.0', allow_insecure_issuer: false },
    ];
    for (const raw of refused) assert.throws(() => validateConfig(raw), /config: issuer: http:\/\/.* is not https .*set issuer to your public https URL, or set allow_insecure_issuer: true/, JSON.stringify(raw));
    assert.throws(() => validateConfig({ host: '0.0.0.0' }), /http:\/\/0\.0\.0\.0:8080 \(derived from host 0\.0\.0\.0\) is not https/);
    const accepted: Record<string, unknown>[] = [
      {}, { host: '::1' }, { issuer: 'http://localhost:8080' }, { issuer: 'http://127.9.8.7' }, { issuer: 'http://[::1]:9000' },
      { host: '0.0.0.0', issuer: 'https://auth.example.com' }, { host: '0.0.0.0', allow_insecure_issuer: true },
      { host: '0.0.0.0', tls_cert: 'c.pem', tls_key: 'k.pem' },
    ];
    for (const raw of accepted) assert.doesNotThrow(() => validateConfig(raw), JSON.stringify(raw));
    assert.equal(validateConfig({}).allow_insecure_issuer, false);
    assert.equal(validateConfig(applyEnv({ host: '0.0.0.0' }, { TESSERA_ALLOW_INSECURE_ISSUER: 'true' })).allow_insecure_issuer, true);
    assert.throws(() => applyEnv({}, { TESSERA_ALLOW_INSECURE_ISSUER: 'yes' }), /allow_insecure_issuer: TESSERA_ALLOW_INSECURE_ISSUER must be true or false/);
    assert.throws(() => validateConfig({ allow_insecure_issuer: 'yes' }), /config: allow_insecure_issuer: must be true or false/);
  });

  it('client_id and client_secret take any VSCHAR and nothing else (RFC 6749 Appendix A.1, A.2)', () => {
    const id = 'a:b/c%d+e&f=g h"\\~';
    const c = validateConfig({ clients: [{ client_id: id, client_secret: 'p:q/r%s+t&u=v w' }] }).clients[0]!;
    assert.equal(c.client_id, id);
    assert.equal(c.client_secret, 'p:q/r%s+t&u=v w');
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ client_id: 'a\nb', client_secret: 's' }, /config: clients\[0\]\.client_id: must be printable ASCII/],
      [{ client_id: 'caf\u00e9', client_secret: 's' }, /config: clients\[0\]\.client_id: must be printable ASCII/],
      [{ client_id: 'a', client_secret: 's\u0001' }, /config: clients\[0\]\.client_secret: must be printable ASCII/],
      [{ client_id: 'a', client_secret: 'p\u00e4ss' }, /config: clients\[0\]\.client_secret: must be printable ASCII/],
      [{ client_id: 'x'.repeat(256), client_secret: 's' }, /config: clients\[0\]\.client_id: must be at most 255 characters/],
    ];
    for (const [client, msg] of cases) assert.throws(() => validateConfig({ clients: [client] }), msg);
  });

  it('client create --id takes any VSCHAR', async () => {
    const file = join(dir, 'vschar.yaml');
    writeFileSync(file, `database: ${JSON.stringify(`sqlite:${join(dir, 'vschar.db')}`)}\nlog_level: warn\n`);
    const id = 'a:b/c%d+e&f=g h';
    const env = { ...process.env, TESSERA_SECRET_KEY: 'k'.repeat(40) };
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '--config', file, 'client', 'create', '--id', id, '--secret', 'p:q/r%s+t&u=v w', '--json'], { env });
    assert.equal(JSON.parse(stdout.slice(0, stdout.lastIndexOf('}') + 1)).client_id, id);
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

  it('password_hashing: defaults, bounds, unknown keys, and TESSERA_PASSWORD_HASHING merged over the file', () => {
    assert.deepEqual(validateConfig({}).password_hashing, { concurrency: 2, queue: 64 });
    assert.deepEqual(validateConfig({ password_hashing: { concurrency: '1' } }).password_hashing, { concurrency: 1, queue: 64 });
    assert.deepEqual(validateConfig({ password_hashing: { queue: 0 } }).password_hashing, { concurrency: 2, queue: 0 });
    const bad: [unknown, RegExp][] = [
      [{ concurrency: 0 }, /config: password_hashing\.concurrency: must be a whole number from 1 to 64/],
      [{ concurrency: 2.5 }, /config: password_hashing\.concurrency: must be a whole number/],
      [{ queue: -1 }, /config: password_hashing\.queue: must be a whole number from 0 to 100000/],
      [{ queue: 'lots' }, /config: password_hashing\.queue: must be a whole number/],
      [{ threads: 4 }, /config: password_hashing\.threads: is not a known key/],
      [4, /config: password_hashing: must be a mapping/],
      [[1, 2], /config: password_hashing: must be a mapping/],
    ];
    for (const [v, msg] of bad) assert.throws(() => validateConfig({ password_hashing: v }), msg);
    const raw = applyEnv({ password_hashing: { concurrency: 3, queue: 10 } }, { TESSERA_PASSWORD_HASHING: '{concurrency: 1}' });
    assert.deepEqual(validateConfig(raw).password_hashing, { concurrency: 1, queue: 10 });
    assert.deepEqual(validateConfig(applyEnv({}, { TESSERA_PASSWORD_HASHING: '{"queue": 5}' })).password_hashing, { concurrency: 2, queue: 5 });
    assert.throws(() => applyEnv({}, { TESSERA_PASSWORD_HASHING: '4' }), /config: password_hashing: TESSERA_PASSWORD_HASHING must be a YAML or JSON mapping/);
    assert.throws(() => validateConfig(applyEnv({}, { TESSERA_PASSWORD_HASHING: '{queue: 100001}' })), /password_hashing\.queue: must be a whole number from 0 to 100000/);
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
        await applyEntities(store, { config: cfg, managed: [] }, log);
        const first = await store.clients.get('c1');
        const user1 = await store.users.getByUsername('u1');
        await applyEntities(store, { config: cfg, managed: [] }, log);
        assert.equal((await store.clients.list()).length, 2);
        assert.equal((await store.clients.get('c1'))?.client_secret_hash, first?.client_secret_hash);
        assert.equal((await store.users.getByUsername('u1'))?.id, user1?.id);
        assert.ok(!JSON.stringify(await store.clients.list()).includes('secret-one'), 'no plaintext secret stored');
        const changed = validateConfig({ clients: [{ client_id: 'c1', client_secret: 'secret-one', scope: 'a b' }], users: [], participants: [] });
        await applyEntities(store, { config: changed, managed: [] }, log);
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

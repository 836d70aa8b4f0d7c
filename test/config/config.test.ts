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
    assert.equal(c.http_request_timeout, 30);
    assert.equal(c.refresh_token_grace_period, 0);
  });

  it('reads refresh_token_grace_period at the top level and per client (0..300)', () => {
    const c = validateConfig({
      refresh_token_grace_period: '30',
      clients: [{ client_id: 'a', client_secret: 's', refresh_token_grace_period: 0 }, { client_id: 'b', client_secret: 's', refresh_token_grace_period: 300 }, { client_id: 'c', client_secret: 's' }],
    });
    assert.equal(c.refresh_token_grace_period, 30);
    assert.equal(c.clients[0]?.refresh_token_grace_period, 0);
    assert.equal(c.clients[1]?.refresh_token_grace_period, 300);
    assert.equal(c.clients[2]?.refresh_token_grace_period, undefined);
    assert.throws(() => validateConfig({ refresh_token_grace_period: 301 }), /config: refresh_token_grace_period: must be a whole number from 0 to 300/);
    assert.throws(() => validateConfig({ refresh_token_grace_period: -1 }), /config: refresh_token_grace_period: must be a whole number from 0 to 300/);
    assert.throws(() => validateConfig({ clients: [{ client_id: 'a', client_secret: 's', refresh_token_grace_period: 1.5 }] }),
      /config: clients\[0\]\.refresh_token_grace_period: must be a whole number from 0 to 300/);
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
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '--config', file, 'client', 'create', '--init', '--id', id, '--secret', 'p:q/r%s+t&u=v w-0123456789abcdefghij', '--json'], { env });
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

  it('rate_limit, trusted_proxies and the connection keys: defaults, forms, env overrides', () => {
    const d = validateConfig({});
    assert.deepEqual(d.rate_limit, { ip: { rate: 1000, burst: 2000 }, client: { rate: 1000, burst: 2000 } });
    assert.deepEqual(d.trusted_proxies, []);
    assert.deepEqual([d.http_headers_timeout, d.http_request_timeout, d.http_keep_alive_timeout, d.max_connections, d.max_connections_per_ip], [10, 30, 72, 10_000, 256]);
    assert.equal(validateConfig({ rate_limit: false }).rate_limit, false);
    assert.deepEqual(validateConfig({ rate_limit: { ip: { rate: 0.5 }, client: false } }).rate_limit, { ip: { rate: 0.5, burst: 1 }, client: false });
    assert.deepEqual(validateConfig({ rate_limit: { client: { rate: 5, burst: 7 } } }).rate_limit, { ip: { rate: 1000, burst: 2000 }, client: { rate: 5, burst: 7 } });
    assert.deepEqual(validateConfig({ trusted_proxies: ['10.0.0.0/8', '::ffff:192.168.0.0/112', '2001:DB8::/32', '127.0.0.1'] }).trusted_proxies,
      ['10.0.0.0/8', '192.168.0.0/16', '2001:db8::/32', '127.0.0.1/32']);
    const env = validateConfig(applyEnv({}, {
      TESSERA_RATE_LIMIT: '{"ip":{"rate":10,"burst":20},"client":false}', TESSERA_TRUSTED_PROXIES: '10.0.0.1,10.0.0.2',
      TESSERA_HTTP_HEADERS_TIMEOUT: '5', TESSERA_MAX_CONNECTIONS_PER_IP: '0',
    }));
    assert.deepEqual(env.rate_limit, { ip: { rate: 10, burst: 20 }, client: false });
    assert.deepEqual(env.trusted_proxies, ['10.0.0.1/32', '10.0.0.2/32']);
    assert.equal(env.http_headers_timeout, 5);
    assert.equal(env.max_connections_per_ip, 0);
    assert.equal(validateConfig(applyEnv({ rate_limit: { ip: false } }, { TESSERA_RATE_LIMIT: 'false' })).rate_limit, false);
    assert.throws(() => applyEnv({}, { TESSERA_RATE_LIMIT: 'off' }), /config: rate_limit: TESSERA_RATE_LIMIT must be false or a JSON object/);
  });

  it('rate_limit, trusted_proxies and the connection keys: problems name the key', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ trusted_proxies: ['10.0.0.0/8', '10.0.0.0/33'] }, /config: trusted_proxies\[1\]: "10\.0\.0\.0\/33" is not an IP address or CIDR/],
      [{ trusted_proxies: ['proxy.example.com'] }, /config: trusted_proxies\[0\]: "proxy\.example\.com" is not an IP address or CIDR/],
      [{ trusted_proxies: [42] }, /config: trusted_proxies\[0\]: 42 is not an IP address or CIDR/],
      [{ trusted_proxies: { a: 1 } }, /config: trusted_proxies: must be a list/],
      [{ rate_limit: 'fast' }, /config: rate_limit: must be false or a mapping with ip and client/],
      [{ rate_limit: { ip: { rate: 0 } } }, /config: rate_limit\.ip\.rate: must be a number from 0\.001 to 1000000/],
      [{ rate_limit: { ip: { burst: 5 } } }, /config: rate_limit\.ip\.rate: is required/],
      [{ rate_limit: { client: { rate: 5, burst: 1.5 } } }, /config: rate_limit\.client\.burst: must be a whole number from 1/],
      [{ rate_limit: { client: { rate: 5, brust: 10 } } }, /config: rate_limit\.client\.brust: is not a known key/],
      [{ rate_limit: { user: {} } }, /config: rate_limit\.user: is not a known key/],
      [{ rate_limit: { ip: 100 } }, /config: rate_limit\.ip: must be false or a mapping with rate and burst/],
      [{ http_headers_timeout: 0 }, /config: http_headers_timeout: must be a whole number from 1 to 3600/],
      [{ http_headers_timeout: 40 }, /config: http_headers_timeout: must not exceed http_request_timeout \(30 s\)/],
      [{ http_keep_alive_timeout: 'long' }, /config: http_keep_alive_timeout: must be a whole number/],
      [{ max_connections: -1 }, /config: max_connections: must be a whole number from 0/],
      [{ max_connections_per_ip: 1.5 }, /config: max_connections_per_ip: must be a whole number from 0/],
    ];
    for (const [raw, msg] of cases) assert.throws(() => validateConfig(raw), msg, JSON.stringify(raw));
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
        assert.ok(lines.some((l) => l.includes('1 client in the database is not in the config file') && l.includes('c2')));
      } finally {
        await store.close();
        await db.cleanup();
      }
    });

    it('a start after serve --dev removes the fixtures with one info line, and no start warns about what the user did not do', async () => {
      const db = await makeDatabase(backend);
      const store = await openStore(db.url);
      try {
        await store.migrate();
        const lines: { level: number; msg: string }[] = [];
        const log = pino({ level: 'info' }, { write: (l: string) => { lines.push(JSON.parse(l) as { level: number; msg: string }); } });
        const cfg = validateConfig({ clients: [{ client_id: 'mine', client_secret: 'x'.repeat(40) }] });
        const dev = { managedBy: 'dev' as const, clients: [{ ...cfg.clients[0]!, client_id: 'demo' }], users: [{ username: 'alice', password: 'alice-password-0123', roles: [] }], participants: [] };
        await applyEntities(store, { config: cfg, managed: [dev] }, log);
        await applyEntities(store, { config: cfg, managed: [] }, log);
        await applyEntities(store, { config: cfg, managed: [] }, log);
        assert.deepEqual(lines.filter((l) => l.level >= 40).map((l) => l.msg), []);
        assert.equal(lines.filter((l) => l.msg.startsWith('removed 2 client(s)/user(s) Tessera had created')).length, 1);
        assert.equal(await store.clients.get('demo'), null);
        assert.equal(await store.users.getByUsername('alice'), null);
      } finally {
        await store.close();
        await db.cleanup();
      }
    });
  });
}

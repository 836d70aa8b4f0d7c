// Config mistakes as a new user makes them (issue 10, rough edge 6): all reported at once,
// misspelt keys with a suggestion, YAML errors with their message and place, and malformed
// JSON in an environment variable named as such.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, ConfigErrors, closestKey } from '../../src/config/error.js';
import { applyEnv, loadConfig } from '../../src/config/load.js';
import { validateConfig } from '../../src/config/validate.js';

const problems = (raw: Record<string, unknown>): string[] => {
  try { validateConfig(raw); } catch (e) {
    if (e instanceof ConfigErrors) return e.problems.map((p) => `${p.key}: ${p.problem}`);
    if (e instanceof ConfigError) return [`${e.key}: ${e.problem}`];
    throw e;
  }
  return [];
};

describe('config errors', () => {
  it('reports every problem of the file at once, top level and inside entries', () => {
    const got = problems({
      prot: 8080, log_levle: 'info', access_token_ttl: -5,
      clients: [{ client_id: 'a', client_secret: 'x', scop: 'read', grant_types: ['client_credential'] }, { client_id: 'b', grant_types: ['authorization_code'] }],
      users: [{ username: 'u' }],
    });
    assert.deepEqual(got, [
      'prot: is not a known key; did you mean port?',
      'log_levle: is not a known key; did you mean log_level?',
      'clients[0].scop: is not a known key; did you mean scope?',
      'clients[0].grant_types: unknown grant type "client_credential" (supported: authorization_code, client_credentials, password, refresh_token)',
      'clients[1].redirect_uris: is required for the authorization_code grant (RFC 6749 §3.1.2.2)',
      'users[0].password: is required',
      'access_token_ttl: must be a whole number from 1 to 31536000',
    ]);
  });

  it('one problem stays one ConfigError with the message it always had', () => {
    assert.throws(() => validateConfig({ port: 'x' }), (e: unknown) => e instanceof ConfigError && !(e instanceof ConfigErrors) && e.message === 'config: port: must be a whole number from 0 to 65535');
  });

  it('suggests the closest known key only when one is close', () => {
    assert.equal(closestKey('isuer', ['issuer', 'host']), 'issuer');
    assert.equal(closestKey('Access-Token-TTL', ['access_token_ttl']), 'access_token_ttl');
    assert.equal(closestKey('colour', ['issuer', 'host', 'port']), undefined);
  });

  it('a YAML error shows the parser\'s message, its line and column, and the lines it points at', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-cfg-'));
    try {
      const file = join(dir, 'tessera.yaml');
      writeFileSync(file, 'port: 8080\nclients:\n- client_id: a\n  scope: [read\nusers: 3\n');
      assert.throws(() => loadConfig(file, {}), (e: unknown) => {
        const m = (e as Error).message;
        assert.match(m, new RegExp(`^config: --config: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} line 5, column 1 is not valid YAML/JSON: Flow sequence in block collection must be sufficiently indented and end with a \\]\\n`));
        assert.match(m, /\n {4} {2}scope: \[read\n/);
        assert.doesNotMatch(m, /column 1:$/m);
        return true;
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('malformed JSON or YAML in an environment variable is named as such', () => {
    assert.throws(() => applyEnv({}, { TESSERA_LOCKOUT: '{threshold: 3' }), /config: lockout: TESSERA_LOCKOUT must be false or a JSON object, and is not valid JSON: .+/);
    assert.throws(() => applyEnv({}, { TESSERA_PASSWORD_HASHING: '{concurrency: [' }), /config: password_hashing: TESSERA_PASSWORD_HASHING is not valid YAML\/JSON \(.+\); it takes a mapping/);
    assert.throws(() => applyEnv({}, { TESSERA_DIALECTS: '[o, apk' }), /config: dialects: TESSERA_DIALECTS is not a valid list/);
  });
});

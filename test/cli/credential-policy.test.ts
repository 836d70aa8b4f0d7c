// The password and secret policy (issue 10, rough edge 7): the CLI refuses a typed password or
// secret below it, the config file's are accepted and reported at start, and grant sets that
// cannot work are said out loud.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { grantSetProblems, passwordProblem, secretProblem, DEFAULT_CREDENTIAL_POLICY } from '../../src/core/credential-policy.js';
import { validateConfig } from '../../src/config/validate.js';
import { applyEntities } from '../../src/entities.js';
import { openStore } from '../../src/store/index.js';
import { ok, tessera } from '../helpers/cli.js';

describe('credential policy', () => {
  let dir: string;
  let cfg: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-policy-'));
    cfg = join(dir, 'tessera.yaml');
    writeFileSync(cfg, JSON.stringify({ database: `sqlite:${join(dir, 't.db')}`, data_dir: dir, log_level: 'warn' }));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('passwords: at least 15 code points by default, at most 1024, never the username', () => {
    const p = DEFAULT_CREDENTIAL_POLICY;
    assert.match(passwordProblem('a', p)!, /^is 1 character; the password policy asks for at least 15/);
    assert.equal(passwordProblem('correct horse b', p), undefined);
    assert.match(passwordProblem('ééééééééééééééé'.slice(0, 14), p)!, /is 14 characters/);
    assert.match(passwordProblem('x'.repeat(1025), p)!, /longer than 1024/);
    assert.equal(passwordProblem('Username-Is-Long', p, 'username-is-long'), 'must not be the username');
    assert.match(secretProblem('abcde', p)!, /^is 5 characters; the secret policy asks for at least 32/);
    assert.equal(secretProblem('x'.repeat(32), p), undefined);
  });

  it('the CLI refuses a typed password or secret below the policy with exit 2, and takes a generated one', async () => {
    const short = await tessera(['user', 'create', '--init', '--username', 'ann', '--password', 'p', '--config', cfg]);
    assert.equal(short.code, 2);
    assert.match(short.stderr, /^tessera: --password: the password is 1 character; the password policy asks for at least 15/m);
    const stdinShort = await tessera(['user', 'create', '--username', 'ann', '--password-stdin', '--config', cfg], 'short\n');
    assert.equal(stdinShort.code, 2);
    assert.match(stdinShort.stderr, /--password-stdin: the password is 5 characters/);
    await ok(['user', 'create', '--username', 'ann', '--password-stdin', '--config', cfg], 'a long enough passphrase\n');
    const setShort = await tessera(['user', 'set-password', 'ann', '--password', 'ann', '--config', cfg]);
    assert.equal(setShort.code, 2);
    const secret = await tessera(['client', 'create', '--id', 'weak', '--secret', 'abcde', '--config', cfg]);
    assert.equal(secret.code, 2);
    assert.match(secret.stderr, /^tessera: --secret: the secret is 5 characters; the secret policy asks for at least 32/m);
    await ok(['client', 'create', '--id', 'strong', '--config', cfg]);
    const rotate = await tessera(['client', 'rotate-secret', 'strong', '--secret', 'short', '--config', cfg]);
    assert.equal(rotate.code, 2);
  });

  it('a stricter or looser policy is configured; floors catch typos', async () => {
    const loose = join(dir, 'loose.yaml');
    writeFileSync(loose, JSON.stringify({ database: `sqlite:${join(dir, 't.db')}`, data_dir: dir, credential_policy: { password_min_length: 8 } }));
    await ok(['user', 'create', '--username', 'bo', '--password', 'eight-ch', '--config', loose]);
    assert.throws(() => validateConfig({ credential_policy: { password_min_length: 4 } }), /credential_policy\.password_min_length: must be a whole number from 8 to 128/);
  });

  it('grant sets that cannot work: a warning from the CLI, not a refusal', async () => {
    assert.deepEqual(grantSetProblems({ grant_types: ['refresh_token'] }), ['refresh_token is its only way to get a refresh token: add password or authorization_code, or it can never refresh']);
    assert.deepEqual(grantSetProblems({ grant_types: ['authorization_code', 'refresh_token'], redirect_uris: ['https://a/cb'], scope: 'openid' }), []);
    const r = await tessera(['client', 'create', '--id', 'refresh-only', '--grant-types', 'refresh_token', '--config', cfg]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /tessera: warning: client refresh-only: refresh_token is its only way to get a refresh token/);
  });

  it('the config file\'s weak credentials and odd grant sets are accepted and reported once at start, by name only', async () => {
    const store = await openStore(`sqlite:${join(dir, 'start.db')}`);
    try {
      await store.migrate();
      const lines: { level: number; msg: string }[] = [];
      const log = pino({ level: 'info' }, { write: (l: string) => { lines.push(JSON.parse(l) as { level: number; msg: string }); } });
      const config = validateConfig({
        clients: [{ client_id: 'legacy', client_secret: 'abcde', grant_types: ['client_credentials'] }, { client_id: 'r', client_secret: 'x'.repeat(40), grant_types: ['refresh_token'] }],
        users: [{ username: 'u', password: 'pw' }],
      });
      await applyEntities(store, { config, managed: [] }, log);
      const warns = lines.filter((l) => l.level === 40).map((l) => JSON.stringify(l));
      assert.equal(warns.length, 3, warns.join('\n'));
      assert.ok(warns.some((w) => w.includes('1 client secret(s) in the config file are shorter') && w.includes('legacy')));
      assert.ok(warns.some((w) => w.includes('1 user password(s) in the config file do not meet') && w.includes('"u"')));
      assert.ok(warns.some((w) => w.includes('client r in the config file: refresh_token is its only way')));
      assert.ok(!warns.join('').includes('abcde') && !warns.join('').includes('"pw"'), 'no secret in the log');
      assert.ok(await store.clients.get('legacy'), 'still accepted');
    } finally {
      await store.close();
    }
  });
});

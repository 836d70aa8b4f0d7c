// The `registration` key: off by default, `true` = an initial access token is required,
// open registration only when spelled out, and its lifetimes and scopes checked.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyEnv } from '../../src/config/load.js';
import { REGISTRATION_DEFAULTS } from '../../src/config/registration.js';
import { validateConfig } from '../../src/config/validate.js';

describe('registration config', () => {
  it('is off by default; true enables it with an initial access token required', () => {
    assert.equal(validateConfig({}).registration, false);
    assert.equal(validateConfig({ registration: false }).registration, false);
    assert.deepEqual(validateConfig({ registration: true }).registration, REGISTRATION_DEFAULTS);
    assert.equal(REGISTRATION_DEFAULTS.initial_access_token, 'required');
    assert.equal(REGISTRATION_DEFAULTS.client_secret_ttl, 90 * 86_400);
    assert.equal(REGISTRATION_DEFAULTS.idle_ttl, 30 * 86_400);
  });

  it('a mapping overrides the defaults key by key; open only when written', () => {
    const r = validateConfig({ registration: { initial_access_token: 'open', idle_ttl: 0, allowed_scopes: ['openid', 'read'] } }).registration;
    assert.deepEqual(r, { ...REGISTRATION_DEFAULTS, initial_access_token: 'open', idle_ttl: 0, allowed_scopes: 'openid read' });
    assert.equal((validateConfig({ registration: {} }).registration as { initial_access_token: string }).initial_access_token, 'required');
  });

  it('refuses bad values naming the key', () => {
    for (const [raw, message] of [
      [{ registration: 'yes' }, /config: registration: must be false, true or a mapping/],
      [{ registration: { open: true } }, /config: registration\.open: is not a known key/],
      [{ registration: { initial_access_token: 'none' } }, /config: registration\.initial_access_token: must be required or open/],
      [{ registration: { client_secret_ttl: -1 } }, /config: registration\.client_secret_ttl: must be a whole number from 0/],
      [{ registration: { idle_ttl: 'long' } }, /config: registration\.idle_ttl: must be a whole number/],
      [{ registration: { allowed_scopes: 'openid "bad' } }, /config: registration\.allowed_scopes: must be a list of scope tokens/],
      [{ registration: { allowed_scopes: 'openid tessera:admin' } }, /config: registration\.allowed_scopes: must not include tessera:admin/],
    ] as const) assert.throws(() => validateConfig(raw as Record<string, unknown>), message);
  });

  it('TESSERA_REGISTRATION takes JSON or false', () => {
    assert.deepEqual(validateConfig(applyEnv({}, { TESSERA_REGISTRATION: '{"initial_access_token":"open"}' })).registration, { ...REGISTRATION_DEFAULTS, initial_access_token: 'open' });
    assert.equal(validateConfig(applyEnv({ registration: true }, { TESSERA_REGISTRATION: 'false' })).registration, false);
  });
});

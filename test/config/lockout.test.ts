// The `lockout` key: documented defaults, partial mappings merge, `false` turns it off,
// TESSERA_LOCKOUT as JSON or `false`, and every problem names the key.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyEnv } from '../../src/config/load.js';
import { validateConfig } from '../../src/config/validate.js';

describe('config: lockout', () => {
  it('is on by default with the documented values', () => {
    assert.deepEqual(validateConfig({}).lockout, {
      user: { threshold: 5, window: 3600 },
      client: { threshold: 10, window: 3600 },
      ip: { threshold: 50, window: 3600 },
      token: { threshold: 20, window: 3600 },
      base_delay: 1,
      max_delay: 900,
    });
    assert.deepEqual(validateConfig({ lockout: true }).lockout, validateConfig({}).lockout);
  });

  it('false turns it off; partial mappings merge with the defaults rule by rule', () => {
    assert.equal(validateConfig({ lockout: false }).lockout, false);
    const c = validateConfig({ lockout: { user: { threshold: 3 }, ip: { window: 60 }, max_delay: 30 } }).lockout;
    assert.ok(c);
    assert.deepEqual(c.user, { threshold: 3, window: 3600 });
    assert.deepEqual(c.ip, { threshold: 50, window: 60 });
    assert.deepEqual(c.client, { threshold: 10, window: 3600 });
    assert.equal(c.base_delay, 1);
    assert.equal(c.max_delay, 30);
  });

  it('TESSERA_LOCKOUT is JSON or false', () => {
    assert.equal(validateConfig(applyEnv({ lockout: { base_delay: 2 } }, { TESSERA_LOCKOUT: 'false' })).lockout, false);
    const c = validateConfig(applyEnv({}, { TESSERA_LOCKOUT: '{"client":{"threshold":4},"base_delay":2}' })).lockout;
    assert.ok(c);
    assert.equal(c.client.threshold, 4);
    assert.equal(c.base_delay, 2);
    assert.equal(c.user.threshold, 5);
    for (const bad of ['off', '[1]', '{"user":', '3']) {
      assert.throws(() => applyEnv({}, { TESSERA_LOCKOUT: bad }), /config: lockout: TESSERA_LOCKOUT must be false or a JSON object/, bad);
    }
  });

  it('problems name the key', () => {
    const cases: [unknown, RegExp][] = [
      ['yes', /config: lockout: must be false or a mapping/],
      [[1], /config: lockout: must be false or a mapping/],
      [{ users: {} }, /config: lockout\.users: is not a known key/],
      [{ user: 5 }, /config: lockout\.user: must be a mapping with threshold and window/],
      [{ user: { threshold: 0 } }, /config: lockout\.user\.threshold: must be a whole number from 1 to 1000000/],
      [{ client: { window: 'soon' } }, /config: lockout\.client\.window: must be a whole number from 1 to 2592000/],
      [{ token: { threshold: 2, limit: 3 } }, /config: lockout\.token\.limit: is not a known key/],
      [{ ip: { threshold: 1.5 } }, /config: lockout\.ip\.threshold: must be a whole number/],
      [{ base_delay: 0 }, /config: lockout\.base_delay: must be a whole number from 1 to 86400/],
      [{ base_delay: 10, max_delay: 5 }, /config: lockout\.max_delay: must be at least base_delay \(10\)/],
    ];
    for (const [lockout, msg] of cases) assert.throws(() => validateConfig({ lockout }), msg, JSON.stringify(lockout));
  });
});

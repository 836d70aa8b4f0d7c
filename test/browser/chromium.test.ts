// Without Chromium the browser tests fail with a message that says how to install it; they
// are never skipped (the suite must be able to fail).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chromiumPath } from '../helpers/browser.js';

function withEnv<T>(env: Record<string, string | undefined>, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
  try { return fn(); } finally {
    for (const [k, v] of Object.entries(saved)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
  }
}

describe('finding Chromium', () => {
  it('none on PATH: an error naming the Debian package and TESSERA_CHROMIUM', () => {
    assert.throws(() => withEnv({ PATH: '/nonexistent', TESSERA_CHROMIUM: undefined }, chromiumPath),
      (e: Error) => /apt-get install -y chromium/.test(e.message) && /TESSERA_CHROMIUM/.test(e.message));
  });

  it('TESSERA_CHROMIUM that does not exist is an error, not a fall-back', () => {
    assert.throws(() => withEnv({ TESSERA_CHROMIUM: '/nonexistent/chrome' }, chromiumPath), /TESSERA_CHROMIUM=\/nonexistent\/chrome does not exist/);
  });

  it('TESSERA_CHROMIUM wins over PATH', () => {
    assert.equal(withEnv({ TESSERA_CHROMIUM: process.execPath }, chromiumPath), process.execPath);
  });
});

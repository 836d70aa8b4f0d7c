import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isValidCodeChallenge, s256, verifyPkce } from '../../src/core/pkce.js';

// RFC 7636 Appendix B.
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

describe('PKCE (RFC 7636)', () => {
  it('S256 as in Appendix B', () => {
    assert.equal(s256(VERIFIER), CHALLENGE);
    verifyPkce({ code_challenge: CHALLENGE, code_challenge_method: 'S256' }, VERIFIER, false);
  });

  it('refuses a wrong, missing or malformed verifier with the RFC codes', () => {
    const code = { code_challenge: CHALLENGE, code_challenge_method: 'S256' as const };
    assert.throws(() => verifyPkce(code, `${VERIFIER.slice(0, -1)}l`, false), { code: 'invalid_grant' });
    assert.throws(() => verifyPkce(code, CHALLENGE, false), { code: 'invalid_grant' });
    assert.throws(() => verifyPkce(code, undefined, false), { code: 'invalid_grant' });
    assert.throws(() => verifyPkce(code, 'a'.repeat(42), false), { code: 'invalid_request' });
    assert.throws(() => verifyPkce(code, 'a'.repeat(129), false), { code: 'invalid_request' });
    assert.throws(() => verifyPkce(code, `${'a'.repeat(42)}+`, false), { code: 'invalid_request' });
  });

  it('plain only when the code says plain and the client allows it; never S256 read as plain', () => {
    const plain = { code_challenge: VERIFIER, code_challenge_method: 'plain' as const };
    verifyPkce(plain, VERIFIER, true);
    assert.throws(() => verifyPkce(plain, VERIFIER, false), { code: 'invalid_grant' });
    assert.throws(() => verifyPkce({ code_challenge: CHALLENGE, code_challenge_method: 'S256' }, CHALLENGE, true), { code: 'invalid_grant' });
  });

  it('no challenge: no verifier either (RFC 9700 §2.1.1 downgrade)', () => {
    verifyPkce({ code_challenge: null, code_challenge_method: null }, undefined, false);
    assert.throws(() => verifyPkce({ code_challenge: null, code_challenge_method: null }, VERIFIER, false), { code: 'invalid_grant' });
  });

  it('challenge syntax for the authorization endpoint', () => {
    assert.equal(isValidCodeChallenge(CHALLENGE, 'S256'), true);
    assert.equal(isValidCodeChallenge(`${CHALLENGE}A`, 'S256'), false, 'not a SHA-256 digest');
    assert.equal(isValidCodeChallenge('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c=', 'S256'), false);
    assert.equal(isValidCodeChallenge(VERIFIER, 'plain'), true);
    assert.equal(isValidCodeChallenge('x'.repeat(42), 'plain'), false);
    assert.equal(isValidCodeChallenge('x'.repeat(128), 'plain'), true);
    assert.equal(isValidCodeChallenge('x'.repeat(129), 'plain'), false);
  });
});

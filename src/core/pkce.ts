// Proof Key for Code Exchange (RFC 7636): the authorization endpoint stores the challenge
// with the code; the token endpoint checks the verifier against it (§4.6).
import { createHash, timingSafeEqual } from 'node:crypto';
import { invalidGrant, invalidRequest } from './errors.js';
import type { AuthorizationCodeRecord, PkceMethod } from './types.js';

/** RFC 7636 §4.1: code-verifier = 43*128unreserved. */
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
/** RFC 7636 §4.2: code-challenge = 43*128unreserved. */
const PLAIN_CHALLENGE = VERIFIER;
/** S256: BASE64URL of a SHA-256 digest, always 43 characters without padding (§4.2, Appendix A). */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/**
 * Whether `challenge` is a well-formed code_challenge for `method` (for the authorization
 * endpoint, which answers a malformed one with invalid_request, §4.4.1).
 */
export function isValidCodeChallenge(challenge: string, method: PkceMethod): boolean {
  return (method === 'S256' ? S256_CHALLENGE : PLAIN_CHALLENGE).test(challenge);
}

/** RFC 7636 §4.2 S256: BASE64URL-ENCODE(SHA256(ASCII(code_verifier))). */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** Constant time whatever the inputs: both sides are hashed to 32 bytes first. */
function sameText(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** A code_verifier the token request carries must be well-formed (RFC 7636 §4.1): else invalid_request. */
export function checkVerifierSyntax(verifier: string | undefined): void {
  if (verifier !== undefined && !VERIFIER.test(verifier)) {
    throw invalidRequest('code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636 §4.1)');
  }
}

/**
 * RFC 7636 §4.6: the verifier must match the challenge stored with the code; `plain` only
 * when the code was issued with it and the client (still) allows it. A verifier for a code
 * issued without a challenge is refused too (RFC 9700 §2.1.1: a PKCE downgrade).
 */
export function verifyPkce(
  code: Pick<AuthorizationCodeRecord, 'code_challenge' | 'code_challenge_method'>,
  verifier: string | undefined,
  allowPlain: boolean,
): void {
  const { code_challenge: challenge, code_challenge_method: method } = code;
  if (challenge === null) {
    if (verifier !== undefined) throw invalidGrant('code_verifier was sent but the authorization request had no code_challenge');
    return;
  }
  if (verifier === undefined) throw invalidGrant('code_verifier is required: the authorization request had a code_challenge');
  checkVerifierSyntax(verifier);
  if (method === 'plain') {
    if (!allowPlain) throw invalidGrant('code_challenge_method plain is not allowed for this client');
    if (!sameText(verifier, challenge)) throw invalidGrant('code_verifier does not match the code_challenge');
    return;
  }
  // S256, also when the method was not stored (never plain by default here).
  if (!sameText(s256(verifier), challenge)) throw invalidGrant('code_verifier does not match the code_challenge');
}

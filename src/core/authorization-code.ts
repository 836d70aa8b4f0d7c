// Authorization codes (RFC 6749 §4.1.2): made at the authorization endpoint once the user
// has signed in and consented; exchanged once at the token endpoint (grants/authorization_code.ts).
import type { CodeRepo, NewAuthorizationCode } from './store.js';
import { hashToken, randomToken } from './secrets.js';

export type AuthorizationCodeInput = Omit<NewAuthorizationCode, 'hash' | 'created_at' | 'expires_at'>;

/**
 * Stores a new code by its hash and returns the code itself, which only the redirect carries.
 * 256 random bits: unguessable (RFC 6749 §10.10); `ttl` seconds to use it (§4.1.2: at most 10 min).
 */
export async function issueAuthorizationCode(codes: Pick<CodeRepo, 'insert'>, input: AuthorizationCodeInput, ttl: number, now: number): Promise<string> {
  const code = randomToken(32);
  await codes.insert({ ...input, hash: hashToken(code), created_at: now, expires_at: now + ttl });
  return code;
}

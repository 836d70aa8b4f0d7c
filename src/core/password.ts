// User passwords: argon2id (RFC 9106) at the library's defaults, which follow OWASP's
// minimum (m=19 MiB, t=2, p=1).
import { hash, verify } from '@node-rs/argon2';

// Algorithm.Argon2id is an ambient const enum (2), which verbatimModuleSyntax cannot import.
const OPTIONS = { algorithm: 2 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false; // a malformed stored hash never verifies
  }
}

let dummy: Promise<string> | undefined;

/**
 * Burn the same time as a real verification, for a user that does not exist, so the
 * password grant answers alike in time whether or not the user exists.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummy ??= hashPassword('tessera-dummy-password-for-timing-equality');
  await verifyPassword(await dummy, password);
  return false;
}

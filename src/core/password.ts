// User passwords: argon2id (RFC 9106) at the library's defaults, which follow OWASP's
// minimum (m=19 MiB, t=2, p=1).
//
// Every verification (the password grant, the dummy for unknown users, argon2id client
// secrets and their dummy) goes through one bounded pool onto Tessera's own hashing
// threads (core/argon2-workers.ts). Module state on purpose: what the pool protects, the
// process's cores and libuv's thread pool, belongs to the process, and every caller of
// verifyPassword (grants, client authentication, start-up) must go through it without
// being handed anything. The runtime sets its limits from the config at start.
import { hash } from '@node-rs/argon2';
import { Argon2Workers } from './argon2-workers.js';
import { BoundedPool, type PoolLimits } from './bounded-pool.js';

// Algorithm.Argon2id is an ambient const enum (2), which verbatimModuleSyntax cannot import.
const OPTIONS = { algorithm: 2 } as const;

/** `password_hashing` defaults (docs/performance.md, "Password hashing", for why). */
export const DEFAULT_PASSWORD_HASHING: PoolLimits = { concurrency: 2, queue: 64 };

const workers = new Argon2Workers(DEFAULT_PASSWORD_HASHING.concurrency);

/** The process's password-hashing pool: its stats and refusals feed the metrics. */
export const passwordPool = new BoundedPool(DEFAULT_PASSWORD_HASHING, 'password hashing');

export function configurePasswordHashing(limits: PoolLimits): void {
  workers.resize(limits.concurrency);
  passwordPool.resize(limits);
}

/** Hashing runs where it is called (CLI, config entities at start): not a request path. */
export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

/**
 * Whether `password` matches `stored`. Throws the 503 `overloaded` OAuthError, before any
 * hashing, when the pool's queue is full.
 */
export function verifyPassword(stored: string, password: string): Promise<boolean> {
  return passwordPool.run(() => workers.verify(stored, password));
}

let dummy: Promise<string> | undefined;

/**
 * Burn the same time as a real verification, for a user that does not exist, so the
 * password grant answers alike in time whether or not the user exists. It waits in the
 * same pool, so a full queue answers alike too.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummy ??= hashPassword('tessera-dummy-password-for-timing-equality');
  await verifyPassword(await dummy, password);
  return false;
}

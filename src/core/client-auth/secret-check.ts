// Checking a presented client secret (RFC 6749 §2.3.1) against the stored hash. Two rules
// on top of the hash itself:
// - A secret that verified once is remembered per process as an HMAC under a random key,
//   so a low-entropy (argon2id-hashed) secret costs one slow hash per process, not per
//   request. Only the remembered secret is fast: any other goes through full verification,
//   or the cache would make wrong guesses cheap.
// - A failure costs about one argon2id verification whoever the client is: unknown ids and
//   fast-hash (SHA-256) clients burn a dummy argon2id verify, so timing tells apart neither
//   registered from unknown ids nor argon2id from SHA-256 clients.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { verifyAgainstDummy } from '../password.js';
import { isSlowSecretHash, verifyClientSecret } from '../secrets.js';
import type { Client } from '../types.js';

export interface SecretHashing {
  /** Verifies a secret against a stored hash (argon2id or the fast salted SHA-256). */
  verify(secret: string, stored: string): Promise<boolean>;
  /** Takes about as long as a failed argon2id verification, and always fails. */
  burn(secret: string): Promise<false>;
}

const defaultHashing: SecretHashing = { verify: verifyClientSecret, burn: verifyAgainstDummy };

const MAX_CACHED = 10_000;

export class SecretCheck {
  readonly #hashing: SecretHashing;
  readonly #cacheKey = randomBytes(32);
  readonly #verified = new Map<string, { stored: string; mac: Buffer }>();

  constructor(hashing: SecretHashing = defaultHashing) {
    this.#hashing = hashing;
  }

  #mac(secret: string): Buffer {
    return createHmac('sha256', this.#cacheKey).update(secret).digest();
  }

  async matches(client: Client, secret: string): Promise<boolean> {
    const stored = client.client_secret_hash;
    if (!stored) return this.#hashing.burn(secret);
    const hit = this.#verified.get(client.client_id);
    if (hit && hit.stored === stored && timingSafeEqual(hit.mac, this.#mac(secret))) return true;
    if (await this.#hashing.verify(secret, stored)) {
      if (this.#verified.size >= MAX_CACHED) this.#verified.clear();
      this.#verified.set(client.client_id, { stored, mac: this.#mac(secret) });
      return true;
    }
    // A failed argon2id verify already took the slow path; a SHA-256 one must catch up.
    return isSlowSecretHash(stored) ? false : this.#hashing.burn(secret);
  }

  /** A secret presented with an unknown client id: cost what a registered client's failure costs. */
  unknownClient(secret: string): Promise<false> {
    return this.#hashing.burn(secret);
  }
}

// Signing keys: created on first need, kept in the store with the private JWK encrypted
// (AES-256-GCM under a key derived from `secret_key`). Rotation adds a key that is
// published at once and signs from its stored activation time; retired keys stay in the
// JWKS until every token they signed has expired (key-schedule.ts).
import {
  createCipheriv, createDecipheriv, createHash, createPrivateKey, createPublicKey,
  generateKeyPairSync, randomBytes, type JsonWebKey, type KeyObject,
} from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { CLOCK_SKEW_SECONDS, DEFAULT_KEY_PUBLISH_AHEAD, signingKeyAt } from './key-schedule.js';
import type { KeyRepo } from './store.js';
import type { SigningAlg, StoredKey } from './types.js';

export interface SigningKey {
  kid: string;
  alg: SigningAlg;
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicJwk: JWK;
  createdAt: number;
  activatesAt: number;
  retiredAt: number | null;
}

export interface KeyManagerOptions {
  /** Seconds a rotated-in key is published before it signs (`key_publish_ahead`). */
  publishAhead?: number;
  /** Epoch seconds; tests move it. */
  now?: () => number;
  /** Milliseconds after creating a first key before looking at the store again (FIRST_KEY_RECHECK_MS). */
  firstKeyRecheckMs?: number;
}

/**
 * Instances starting together on an empty database may each create a first key for an
 * algorithm. All of them stay valid and every instance picks the same one to sign with
 * (key-schedule.ts), but only among the keys it has loaded: an instance that loaded before
 * another's key was stored would sign with its own until the next periodic reload (60 s),
 * and publish a different JWKS meanwhile. One more look this long after creating a first
 * key makes every instance converge in seconds.
 */
export const FIRST_KEY_RECHECK_MS = 2000;

function generate(alg: SigningAlg): { privateKey: KeyObject; publicKey: KeyObject } {
  switch (alg) {
    case 'ES256': return generateKeyPairSync('ec', { namedCurve: 'P-256' });
    case 'RS256':
    case 'PS256': return generateKeyPairSync('rsa', { modulusLength: 2048 });
    case 'EdDSA': return generateKeyPairSync('ed25519');
  }
}

/**
 * A stored signing key that the configured secret key cannot decrypt: the secret key is
 * not the one this database was set up with. The CLI turns it into one line and exit 2.
 */
export class SecretKeyMismatch extends Error {
  readonly code = 'secret_key_mismatch';
  constructor(kid: string) {
    super(`secret_key does not match this database: signing key ${kid} cannot be decrypted with it; use the secret key the database was set up with`);
    this.name = 'SecretKeyMismatch';
  }
}

export class KeyEncryption {
  readonly #key: Buffer;
  constructor(secret: string) {
    this.#key = createHash('sha256').update(`tessera-key-encryption:${secret}`).digest();
  }
  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.#key, iv);
    const ct = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return ['v1', iv.toString('base64url'), ct.toString('base64url'), c.getAuthTag().toString('base64url')].join('.');
  }
  decrypt(box: string): string {
    const [v, iv, ct, tag] = box.split('.');
    if (v !== 'v1' || !iv || !ct || !tag) throw new Error('unknown key encryption format');
    const d = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64url'));
    d.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([d.update(Buffer.from(ct, 'base64url')), d.final()]).toString('utf8');
  }
}

export class KeyManager {
  #keys: SigningKey[] = [];
  #creating = new Map<SigningAlg, Promise<SigningKey>>();
  readonly #repo: KeyRepo;
  readonly #enc: KeyEncryption;
  /** Longest access-token lifetime: how long a retired key must stay published. */
  readonly #maxTtl: () => number;
  readonly #publishAhead: number;
  readonly #now: () => number;
  readonly #recheckMs: number;

  constructor(repo: KeyRepo, secret: string, maxTtl: () => number, opts: KeyManagerOptions = {}) {
    this.#repo = repo;
    this.#enc = new KeyEncryption(secret);
    this.#maxTtl = maxTtl;
    this.#publishAhead = opts.publishAhead ?? DEFAULT_KEY_PUBLISH_AHEAD;
    this.#now = opts.now ?? (() => Math.floor(Date.now() / 1000));
    this.#recheckMs = opts.firstKeyRecheckMs ?? FIRST_KEY_RECHECK_MS;
  }

  /** Load keys from the store (again): picks up rotations done by the CLI or another instance. */
  async load(): Promise<void> {
    // A key retired at T signed its last token at T (give or take clock skew); that token
    // expires by T + the longest lifetime. Only then may the key leave the JWKS.
    await this.#repo.deleteRetiredBefore(this.#now() - this.#maxTtl() - CLOCK_SKEW_SECONDS);
    const stored = await this.#repo.list();
    this.#keys = stored.map((s) => this.#fromStored(s));
  }

  #fromStored(s: StoredKey): SigningKey {
    let plain: string;
    try {
      plain = this.#enc.decrypt(s.private_jwk_enc);
    } catch {
      // AES-GCM's tag check fails under another key (RFC 5116 §2.2): the key, not the data.
      throw new SecretKeyMismatch(s.kid);
    }
    const privateKey = createPrivateKey({ key: JSON.parse(plain) as JsonWebKey, format: 'jwk' });
    const publicJwk = JSON.parse(s.public_jwk) as JWK;
    return {
      kid: s.kid, alg: s.alg, privateKey, publicKey: createPublicKey(privateKey), publicJwk,
      createdAt: s.created_at, activatesAt: s.activates_at, retiredAt: s.retired_at,
    };
  }

  /** The current signing key for `alg`, created (and stored) when there is none. */
  async current(alg: SigningAlg): Promise<SigningKey> {
    const k = this.currentSync(alg);
    if (k) return k;
    let p = this.#creating.get(alg);
    if (!p) {
      p = this.#first(alg).finally(() => this.#creating.delete(alg));
      this.#creating.set(alg, p);
    }
    return p;
  }

  async #first(alg: SigningAlg): Promise<SigningKey> {
    await this.load(); // another instance may have made it meanwhile
    const known = this.currentSync(alg);
    if (known) return known;
    const made = await this.rotate(alg);
    // A failed look is retried by the periodic reload; nothing to report here.
    setTimeout(() => { this.load().catch(() => {}); }, this.#recheckMs).unref();
    return made;
  }

  /**
   * The key that signs for `alg` now, chosen by the clock from the loaded keys, so every
   * instance switches at the stored activation time without waiting for a reload.
   * Hot path: no await when the key is loaded.
   */
  currentSync(alg: SigningAlg): SigningKey | undefined {
    return signingKeyAt(this.#keys, alg, this.#now());
  }

  /**
   * Add a key for `alg`, published at once. It signs from now + `publishAhead`, when the
   * previous key is retired (still published until its last token expires). The first key
   * of an algorithm signs at once: no token needs it published ahead.
   */
  async rotate(alg: SigningAlg, publishAhead = this.#publishAhead): Promise<SigningKey> {
    const { privateKey } = generate(alg);
    const publicJwk = createPublicKey(privateKey).export({ format: 'jwk' }) as JWK;
    const kid = await calculateJwkThumbprint(publicJwk);
    await this.load(); // what signs now, as the store has it (another instance may have rotated)
    const now = this.#now();
    const signing = this.currentSync(alg);
    const activatesAt = signing ? now + publishAhead : now;
    const stored: StoredKey = {
      kid, alg,
      public_jwk: JSON.stringify({ ...publicJwk, kid, alg, use: 'sig' }),
      private_jwk_enc: this.#enc.encrypt(JSON.stringify(privateKey.export({ format: 'jwk' }))),
      created_at: now, activates_at: activatesAt, retired_at: null,
    };
    await this.#repo.insert(stored);
    // A first key retires nothing, as nothing signs yet. So instances racing to make one
    // never retire each other's (which could leave none signing): each key stays valid,
    // and signingKeyAt picks the same one of them on every instance.
    if (signing) await this.#repo.retireOthers(alg, kid, activatesAt);
    await this.load();
    return this.#keys.find((k) => k.kid === kid)!;
  }

  byKid(kid: string): SigningKey | undefined {
    return this.#keys.find((k) => k.kid === kid);
  }

  #lastMissReload = 0;

  /**
   * A kid we do not know may be a key just rotated elsewhere: reload, but at most every
   * 5 s, so tokens with made-up kids cannot turn into a stream of store reads.
   */
  async byKidReloading(kid: string): Promise<SigningKey | undefined> {
    const known = this.byKid(kid);
    if (known) return known;
    const now = Date.now();
    if (now - this.#lastMissReload < 5000) return undefined;
    this.#lastMissReload = now;
    await this.load();
    return this.byKid(kid);
  }

  all(): readonly SigningKey[] {
    return this.#keys;
  }

  /** RFC 7517 JWK Set of public keys only, each with kid, alg and use. */
  jwks(): { keys: JWK[] } {
    return { keys: this.#keys.map((k) => k.publicJwk) };
  }
}

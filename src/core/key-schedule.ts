// When signing keys are published, used and dropped. A rotation must never cut a token
// short: relying parties cache the JWKS, so a new key is published before any instance
// signs with it, every instance switches at the same stored time, and a retired key stays
// published until the last token it signed has expired.

/** Seconds a relying party may cache the JWKS (its Cache-Control max-age). */
export const JWKS_MAX_AGE = 300;

/** Seconds between an instance's key reloads: how late it may see a key added elsewhere. */
export const KEY_RELOAD_SECONDS = 60;

/**
 * The least `key_publish_ahead`: a relying party that fetched the JWKS from an instance that
 * had not yet reloaded must still see the new key, when its cache expires, before the key signs.
 */
export const MIN_KEY_PUBLISH_AHEAD = JWKS_MAX_AGE + KEY_RELOAD_SECONDS;

export const DEFAULT_KEY_PUBLISH_AHEAD = 600;

/** Instances' clocks differ: a retired key is kept this much longer than its tokens live. */
export const CLOCK_SKEW_SECONDS = 60;

export interface Scheduled {
  alg: string;
  activatesAt: number;
  createdAt: number;
  retiredAt: number | null;
}

/**
 * The key that signs for `alg` at `now`: the latest activated one that its successor has not
 * yet replaced (the same on every instance; a successor activated in the same second wins).
 */
export function signingKeyAt<K extends Scheduled>(keys: readonly K[], alg: string, now: number): K | undefined {
  let best: K | undefined;
  for (const k of keys) {
    if (k.alg !== alg || k.activatesAt > now || (k.retiredAt !== null && k.retiredAt <= now)) continue;
    if (!best || k.activatesAt > best.activatesAt || (k.activatesAt === best.activatesAt && k.createdAt >= best.createdAt)) best = k;
  }
  return best;
}

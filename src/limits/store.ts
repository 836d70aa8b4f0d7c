// Where throttling state lives (RFC 6819 §4.4.3.6, §5.1.4.2.3): in this process (memory.ts),
// or in Redis shared by every instance (redis.ts), with a fall-back to memory while Redis
// is unreachable (fallback.ts). Keys are opaque to the store: the policy (src/limits/policy)
// names them and never puts a raw username or secret in one.

/** A token bucket (rate limit): `rate` tokens per second, holding at most `burst`. */
export interface Bucket {
  key: string;
  rate: number;
  burst: number;
}

/** One admission decision, in one round trip: take a token from every bucket, check every lock. */
export interface Gate {
  buckets?: readonly Bucket[];
  locks?: readonly string[];
}

export interface GateResult {
  /** 0: admitted. Otherwise whole seconds (≥ 1) until a retry can succeed (RFC 9110 §10.2.3 Retry-After). */
  retryAfter: number;
  /** The bucket or lock key that refused, when one did. */
  key?: string;
  /** Whether `key` is a lock (a lockout) rather than an empty bucket (a rate limit). */
  locked?: boolean;
  /**
   * Of the lock keys checked, those with failures counted: the only ones a success needs to
   * reset, so a success costs no write when nothing failed (the common case).
   */
  failing?: string[];
}

/**
 * A failure to count. The count is forgotten `window` seconds after the key's LAST failure
 * (each failure extends it), so an attacker who waits out a lock does not start over.
 */
export interface Failure {
  key: string;
  window: number;
}

export interface LimitState {
  failures: number;
  /** Seconds left on the key's lock; 0 when not locked. */
  lockedFor: number;
}

/** What /readyz and the logs say about where limits are kept. */
export interface LimitStatus {
  /** Where counters are kept right now. */
  backend: 'memory' | 'redis';
  /** Set while Redis is configured but unreachable and this process limits alone. */
  degraded?: string;
}

export interface LimitStore {
  readonly kind: 'memory' | 'redis';
  status(): LimitStatus;
  gate(g: Gate): Promise<GateResult>;
  /** Count one failure per entry; returns each key's count within its window, in order. */
  fail(failures: readonly Failure[]): Promise<number[]>;
  /** Lock `key` for `seconds` from now; a longer lock already in place is kept. */
  lock(key: string, seconds: number): Promise<void>;
  state(key: string): Promise<LimitState>;
  /** Forget the failures and lock of each key (a success, or an operator's unlock). */
  reset(keys: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

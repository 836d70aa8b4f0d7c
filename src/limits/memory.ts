// Throttling state in this process: exact for one instance, per process for several (use
// Redis to share it). Entries expire with their window; the map is bounded so a flood of
// random keys (unknown usernames, spoofed client ids) cannot exhaust memory: at the bound
// the entries closest to expiry go first.
import type { Bucket, Failure, Gate, GateResult, LimitState, LimitStatus, LimitStore } from './store.js';

const MAX_ENTRIES = 200_000;

interface Counter { count: number; expiresAt: number }
interface Tokens { tokens: number; at: number; expiresAt: number }

export class MemoryLimitStore implements LimitStore {
  readonly kind = 'memory' as const;
  readonly #failures = new Map<string, Counter>();
  readonly #locks = new Map<string, number>(); // key → locked until (ms)
  readonly #buckets = new Map<string, Tokens>();
  readonly #now: () => number;
  readonly #sweep: NodeJS.Timeout;

  constructor(opts: { now?: () => number } = {}) {
    this.#now = opts.now ?? Date.now;
    this.#sweep = setInterval(() => this.#expire(), 30_000);
    this.#sweep.unref();
  }

  status(): LimitStatus {
    return { backend: 'memory' };
  }

  async gate(g: Gate): Promise<GateResult> {
    const now = this.#now();
    for (const key of g.locks ?? []) {
      const until = this.#locks.get(key);
      if (until !== undefined && until > now) return { retryAfter: Math.max(1, Math.ceil((until - now) / 1000)), key, locked: true };
    }
    let refused: GateResult = { retryAfter: 0 };
    for (const b of g.buckets ?? []) {
      const wait = this.#take(b, now);
      if (wait > refused.retryAfter) refused = { retryAfter: wait, key: b.key, locked: false };
    }
    const failing = (g.locks ?? []).filter((k) => (this.#failures.get(k)?.expiresAt ?? 0) > now);
    return failing.length > 0 ? { ...refused, failing } : refused;
  }

  /** Token bucket: refill by elapsed time, then take one token; returns 0 or seconds to wait. */
  #take(b: Bucket, now: number): number {
    const held = this.#buckets.get(b.key);
    const tokens = held ? Math.min(b.burst, held.tokens + ((now - held.at) / 1000) * b.rate) : b.burst;
    // A full bucket is the same as no entry: it may be dropped once it has refilled.
    const refillMs = (1000 * b.burst) / b.rate;
    if (tokens >= 1) {
      this.#bound(this.#buckets, b.key);
      this.#buckets.set(b.key, { tokens: tokens - 1, at: now, expiresAt: now + refillMs });
      return 0;
    }
    this.#buckets.set(b.key, { tokens, at: now, expiresAt: now + refillMs });
    return Math.max(1, Math.ceil((1 - tokens) / b.rate));
  }

  async fail(failures: readonly Failure[]): Promise<number[]> {
    const now = this.#now();
    return failures.map(({ key, window }) => {
      const c = this.#failures.get(key);
      if (c && c.expiresAt > now) {
        c.expiresAt = now + window * 1000;
        return ++c.count;
      }
      this.#bound(this.#failures, key);
      this.#failures.set(key, { count: 1, expiresAt: now + window * 1000 });
      return 1;
    });
  }

  async lock(key: string, seconds: number): Promise<void> {
    const until = this.#now() + seconds * 1000;
    if ((this.#locks.get(key) ?? 0) < until) {
      this.#bound(this.#locks, key);
      this.#locks.set(key, until);
    }
  }

  async state(key: string): Promise<LimitState> {
    const now = this.#now();
    const c = this.#failures.get(key);
    const until = this.#locks.get(key) ?? 0;
    return {
      failures: c && c.expiresAt > now ? c.count : 0,
      lockedFor: until > now ? Math.ceil((until - now) / 1000) : 0,
    };
  }

  async reset(keys: readonly string[]): Promise<void> {
    for (const k of keys) {
      this.#failures.delete(k);
      this.#locks.delete(k);
      this.#buckets.delete(k);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#sweep);
  }

  #bound(map: Map<string, unknown>, key: string): void {
    if (map.size < MAX_ENTRIES || map.has(key)) return;
    this.#expire();
    // Still full: drop the oldest tenth (Map iterates in insertion order).
    if (map.size >= MAX_ENTRIES) {
      let n = Math.ceil(MAX_ENTRIES / 10);
      for (const k of map.keys()) { if (n-- <= 0) break; map.delete(k); }
    }
  }

  #expire(): void {
    const now = this.#now();
    for (const [k, c] of this.#failures) if (c.expiresAt <= now) this.#failures.delete(k);
    for (const [k, until] of this.#locks) if (until <= now) this.#locks.delete(k);
    for (const [k, t] of this.#buckets) if (t.expiresAt <= now) this.#buckets.delete(k);
  }
}

// Throttling state in Redis, shared by every Tessera instance that names the same
// `redis_url`. Each operation is one Lua script (atomic on the server, one round trip), and
// every key has a TTL, so nothing needs cleaning up. Timestamps come from Redis's own clock
// (TIME), so instances with skewed clocks still agree.
//
// Commands fail fast instead of queueing while disconnected (no offline queue, a short
// command timeout): the fall-back (fallback.ts) then limits in-process, never a hang.
import { Redis } from 'ioredis';
import type { Bucket, Failure, Gate, GateResult, LimitState, LimitStatus, LimitStore } from './store.js';

// KEYS: locks…, buckets…, then the failure counter of each lock; ARGV[1] = number of locks,
// then rate, burst per bucket. Returns {0, f} admitted, {1, i, ms} lock i holds, {2, i, ms, f}
// bucket i is empty; f is a bit mask of the locks whose failure counter exists (bit i-1).
const GATE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nlocks = tonumber(ARGV[1])
for i = 1, nlocks do
  local ttl = redis.call('PTTL', KEYS[i])
  if ttl > 0 then return {1, i, ttl} end
end
local failing, bit = 0, 1
for i = #KEYS - nlocks + 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then failing = failing + bit end
  bit = bit * 2
end
local worst, wi = 0, 0
for i = nlocks + 1, #KEYS - nlocks do
  local j = 2 + (i - nlocks - 1) * 2
  local rate, burst = tonumber(ARGV[j]), tonumber(ARGV[j + 1])
  local h = redis.call('HMGET', KEYS[i], 't', 'a')
  local tokens = burst
  if h[1] then tokens = math.min(burst, tonumber(h[1]) + (now - tonumber(h[2])) * rate / 1000) end
  if tokens >= 1 then
    tokens = tokens - 1
  else
    local wait = math.ceil((1 - tokens) * 1000 / rate)
    if wait > worst then worst, wi = wait, i end
  end
  redis.call('HSET', KEYS[i], 't', tostring(tokens), 'a', now)
  redis.call('PEXPIRE', KEYS[i], math.ceil(1000 * burst / rate) + 1000)
end
if wi > 0 then return {2, wi, worst, failing} end
return {0, failing}
`;

// KEYS: failure counters; ARGV: window seconds per key. Each failure extends its window.
const FAIL = `
local out = {}
for i = 1, #KEYS do
  out[i] = redis.call('INCR', KEYS[i])
  redis.call('EXPIRE', KEYS[i], tonumber(ARGV[i]))
end
return out
`;

// KEYS[1]: lock; ARGV[1]: milliseconds. A longer lock already in place is kept.
const LOCK = `
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], '1', 'PX', tonumber(ARGV[1]))
end
return 1
`;

// KEYS: buckets; ARGV: rate, burst, want per bucket. Takes up to `want` whole tokens from
// each; returns per bucket the tokens taken and, when none, the milliseconds until one.
const LEASE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out = {}
for i = 1, #KEYS do
  local j = (i - 1) * 3 + 1
  local rate, burst, want = tonumber(ARGV[j]), tonumber(ARGV[j + 1]), tonumber(ARGV[j + 2])
  local h = redis.call('HMGET', KEYS[i], 't', 'a')
  local tokens = burst
  if h[1] then tokens = math.min(burst, tonumber(h[1]) + (now - tonumber(h[2])) * rate / 1000) end
  local take, wait = 0, 0
  if tokens >= 1 then
    take = math.min(want, math.floor(tokens))
    tokens = tokens - take
  else
    wait = math.ceil((1 - tokens) * 1000 / rate)
  end
  redis.call('HSET', KEYS[i], 't', tostring(tokens), 'a', now)
  redis.call('PEXPIRE', KEYS[i], math.ceil(1000 * burst / rate) + 1000)
  out[2 * i - 1] = take
  out[2 * i] = wait
end
return out
`;

/**
 * A rate-limit-only gate takes tokens from Redis ahead, a tenth of the bucket's rate at a
 * time, and spends them in process: one round trip per that many requests instead of one
 * each. It never admits more than the shared bucket gave (each admission spends a token
 * taken from it); a lease unused after LEASE_MS is dropped, so it cannot be hoarded.
 * Gates with locks (the lockout) always ask Redis.
 */
const LEASE_MS = 1000;
// (At most 100 tokens at a time, so a very high limit does not empty its bucket in a few leases.)
const MAX_LEASES = 10_000;
const leaseSize = (b: Bucket): number => Math.max(1, Math.min(100, Math.floor(Math.min(b.burst, b.rate) / 10)));

type Scripted = Redis & {
  tesseraGate(...args: (string | number)[]): Promise<number[]>;
  tesseraLease(...args: (string | number)[]): Promise<number[]>;
  tesseraFail(...args: (string | number)[]): Promise<number[]>;
  tesseraLock(...args: (string | number)[]): Promise<number>;
};

export interface RedisLimitOptions {
  /** Prepended to every key, so several deployments can share one Redis. */
  prefix?: string;
  /** Milliseconds before a command counts as failed (then the fall-back takes over). */
  commandTimeout?: number;
}

export class RedisLimitStore implements LimitStore {
  readonly kind = 'redis' as const;
  readonly redis: Scripted;
  readonly #prefix: string;
  readonly #leases = new Map<string, { tokens: number; until: number }>();
  readonly #pending = new Map<string, Promise<void>>();
  /** Round trips taken for rate-limit leases (tests, and a hint of how well leases work). */
  leaseRoundTrips = 0;

  constructor(url: string, opts: RedisLimitOptions = {}) {
    this.#prefix = opts.prefix ?? 'tessera:';
    this.redis = new Redis(url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: opts.commandTimeout ?? 500,
      connectTimeout: 2000,
      // Commands issued in the same tick (concurrent requests) go out in one write: under
      // load that is far fewer syscalls per request than one round trip each.
      enableAutoPipelining: true,
      // Keep reconnecting in the background, at most every 2 s.
      retryStrategy: (times) => Math.min(times * 200, 2000),
    }) as Scripted;
    // Connection errors surface as failed commands; without a listener they would be
    // printed as unhandled 'error' events.
    this.redis.on('error', () => {});
    this.redis.defineCommand('tesseraGate', { lua: GATE });
    this.redis.defineCommand('tesseraLease', { lua: LEASE });
    this.redis.defineCommand('tesseraFail', { lua: FAIL });
    this.redis.defineCommand('tesseraLock', { numberOfKeys: 1, lua: LOCK });
  }

  /** Connects (the first time) and checks Redis answers; throws when it does not. */
  async ping(): Promise<void> {
    if (this.redis.status === 'wait' || this.redis.status === 'end') await this.redis.connect();
    await this.redis.ping();
  }

  status(): LimitStatus {
    return { backend: 'redis' };
  }

  #k(kind: 'lock' | 'fail' | 'bucket', key: string): string {
    return `${this.#prefix}${kind}:${key}`;
  }

  async gate(g: Gate): Promise<GateResult> {
    const locks = g.locks ?? [];
    const buckets = g.buckets ?? [];
    if (locks.length + buckets.length === 0) return { retryAfter: 0 };
    if (locks.length === 0) return this.#leased(buckets);
    const keys = [
      ...locks.map((k) => this.#k('lock', k)), ...buckets.map((b) => this.#k('bucket', b.key)), ...locks.map((k) => this.#k('fail', k)),
    ];
    const args = [String(locks.length), ...buckets.flatMap((b) => [String(b.rate), String(b.burst)])];
    const r = await this.redis.tesseraGate(keys.length, ...keys, ...args);
    const mask = Number(r[0] === 0 ? r[1] : r[0] === 2 ? r[3] : 0);
    const failing = locks.filter((_, i) => (mask & (1 << i)) !== 0);
    const withFailing = (g: GateResult): GateResult => (failing.length > 0 ? { ...g, failing } : g);
    if (r[0] === 0) return withFailing({ retryAfter: 0 });
    const i = Number(r[1]) - 1;
    const retryAfter = Math.max(1, Math.ceil(Number(r[2]) / 1000));
    return r[0] === 1
      ? { retryAfter, key: locks[i]!, locked: true }
      : withFailing({ retryAfter, key: buckets[i - locks.length]!.key, locked: false });
  }

  /** A buckets-only gate: each bucket from this process's lease, else a new lease from Redis. */
  async #leased(buckets: readonly Bucket[]): Promise<GateResult> {
    const waits = await Promise.all(buckets.map((b) => this.#take(b)));
    let refused: GateResult = { retryAfter: 0 };
    waits.forEach((wait, i) => {
      if (wait > refused.retryAfter) refused = { retryAfter: wait, key: buckets[i]!.key, locked: false };
    });
    return refused;
  }

  /** One token of `b`: 0, or whole seconds to wait. Concurrent misses share one fetch. */
  async #take(b: Bucket): Promise<number> {
    for (let round = 0; ; round++) {
      const lease = this.#leases.get(b.key);
      if (lease && lease.until > Date.now() && lease.tokens >= 1) {
        lease.tokens--;
        return 0;
      }
      const pending = this.#pending.get(b.key);
      if (pending && round < 3) {
        await pending;
        continue;
      }
      const fetch = this.#fetch(b);
      this.#pending.set(b.key, fetch.then(() => {}, () => {}));
      try {
        return await fetch;
      } finally {
        this.#pending.delete(b.key);
      }
    }
  }

  /** Takes a lease from Redis: this request's token, and the rest for the next ones. */
  async #fetch(b: Bucket): Promise<number> {
    this.leaseRoundTrips++;
    const [taken, wait] = (await this.redis.tesseraLease(1, this.#k('bucket', b.key), String(b.rate), String(b.burst), String(leaseSize(b)))).map(Number);
    if (taken! < 1) return Math.max(1, Math.ceil(wait! / 1000));
    if (taken! > 1) {
      if (this.#leases.size >= MAX_LEASES) this.#leases.clear();
      const held = this.#leases.get(b.key);
      const left = held && held.until > Date.now() ? held.tokens : 0;
      this.#leases.set(b.key, { tokens: left + taken! - 1, until: Date.now() + LEASE_MS });
    }
    return 0;
  }

  async fail(failures: readonly Failure[]): Promise<number[]> {
    if (failures.length === 0) return [];
    const r = await this.redis.tesseraFail(failures.length, ...failures.map((f) => this.#k('fail', f.key)), ...failures.map((f) => String(f.window)));
    return r.map(Number);
  }

  async lock(key: string, seconds: number): Promise<void> {
    await this.redis.tesseraLock(this.#k('lock', key), String(Math.ceil(seconds * 1000)));
  }

  async state(key: string): Promise<LimitState> {
    const r = await this.redis.multi().get(this.#k('fail', key)).pttl(this.#k('lock', key)).exec();
    const failures = Number(r?.[0]?.[1] ?? 0);
    const ttl = Number(r?.[1]?.[1] ?? -2);
    return { failures, lockedFor: ttl > 0 ? Math.ceil(ttl / 1000) : 0 };
  }

  async reset(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    for (const k of keys) this.#leases.delete(k);
    await this.redis.del(...keys.flatMap((k) => [this.#k('fail', k), this.#k('lock', k), this.#k('bucket', k)]));
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

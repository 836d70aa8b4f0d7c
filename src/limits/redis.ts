// Throttling state in Redis, shared by every Tessera instance that names the same
// `redis_url`. Each operation is one Lua script (atomic on the server, one round trip), and
// every key has a TTL, so nothing needs cleaning up. Timestamps come from Redis's own clock
// (TIME), so instances with skewed clocks still agree.
//
// Commands fail fast instead of queueing while disconnected (no offline queue, a short
// command timeout): the fall-back (fallback.ts) then limits in-process, never a hang.
import { Redis } from 'ioredis';
import type { Failure, Gate, GateResult, LimitState, LimitStatus, LimitStore } from './store.js';

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

type Scripted = Redis & {
  tesseraGate(...args: (string | number)[]): Promise<number[]>;
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
    await this.redis.del(...keys.flatMap((k) => [this.#k('fail', k), this.#k('lock', k), this.#k('bucket', k)]));
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

// Redis with an in-process fall-back. While Redis is unreachable, every operation goes to
// this process's own counters: each instance then limits alone (weaker across instances,
// never off), the log says so once, and /readyz shows it. A probe brings Redis back as
// soon as it answers. Locks set in-process during the outage keep holding until they
// expire, so an attacker gains nothing by waiting for Redis to return.
import type { Logger } from 'pino';
import type { RedisLimitStore } from './redis.js';
import type { Failure, Gate, GateResult, LimitState, LimitStatus, LimitStore } from './store.js';

export interface FailoverOptions {
  /** Milliseconds between probes of Redis while it is down. */
  probeMs?: number;
  /** Called when the store falls back (true) or Redis is back (false). */
  onChange?: (degraded: boolean) => void;
}

export class FailoverLimitStore implements LimitStore {
  readonly kind = 'redis' as const;
  readonly #primary: RedisLimitStore;
  readonly #local: LimitStore;
  readonly #log: Logger;
  readonly #opts: FailoverOptions;
  #down: string | null = null;
  #probe: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(primary: RedisLimitStore, local: LimitStore, log: Logger, opts: FailoverOptions = {}) {
    this.#primary = primary;
    this.#local = local;
    this.#log = log;
    this.#opts = opts;
  }

  /** Connects to Redis; when it cannot, starts in fall-back (Tessera starts either way). */
  async start(): Promise<this> {
    try {
      await this.#primary.ping();
    } catch (e) {
      this.#fallBack(e);
    }
    return this;
  }

  status(): LimitStatus {
    return this.#down === null ? { backend: 'redis' } : { backend: 'memory', degraded: `redis unreachable (${this.#down}); limiting in this process only` };
  }

  async gate(g: Gate): Promise<GateResult> {
    if (this.#down === null) {
      try {
        const r = await this.#primary.gate(g);
        // Locks taken in-process during an outage still hold (memory: no round trip).
        if (r.retryAfter !== 0 || !g.locks?.length) return r;
        const local = await this.#local.gate({ locks: g.locks });
        return local.retryAfter === 0 ? { ...local, ...(r.failing ? { failing: r.failing } : {}) } : local;
      } catch (e) {
        this.#fallBack(e);
      }
    }
    return this.#local.gate(g);
  }

  fail(failures: readonly Failure[]): Promise<number[]> {
    return this.#run((s) => s.fail(failures));
  }

  lock(key: string, seconds: number): Promise<void> {
    return this.#run((s) => s.lock(key, seconds));
  }

  async state(key: string): Promise<LimitState> {
    const local = await this.#local.state(key);
    if (this.#down !== null) return local;
    const shared = await this.#run((s) => s.state(key));
    return { failures: Math.max(shared.failures, local.failures), lockedFor: Math.max(shared.lockedFor, local.lockedFor) };
  }

  async reset(keys: readonly string[]): Promise<void> {
    await this.#local.reset(keys);
    if (this.#down === null) await this.#run((s) => s.reset(keys));
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#probe);
    await this.#primary.close();
    await this.#local.close();
  }

  async #run<T>(op: (s: LimitStore) => Promise<T>): Promise<T> {
    if (this.#down === null) {
      try {
        return await op(this.#primary);
      } catch (e) {
        this.#fallBack(e);
      }
    }
    return op(this.#local);
  }

  #fallBack(e: unknown): void {
    if (this.#down !== null || this.#closed) return;
    this.#down = e instanceof Error ? e.message.slice(0, 200) : 'error';
    this.#log.error({ err: this.#down }, 'redis is unreachable: lockout and rate-limit counters are kept in this process only (each instance limits alone) until it is back');
    this.#opts.onChange?.(true);
    this.#probe = setInterval(() => {
      this.#primary.ping().then(() => {
        if (this.#down === null || this.#closed) return;
        clearInterval(this.#probe);
        this.#down = null;
        this.#log.warn('redis is reachable again: lockout and rate-limit counters are shared again');
        this.#opts.onChange?.(false);
      }, () => {});
    }, this.#opts.probeMs ?? 2000);
    this.#probe.unref();
  }
}

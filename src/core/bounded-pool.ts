// A concurrency limit with a bounded queue in front of it. Work beyond both is refused at
// once with 503 + Retry-After (RFC 9110 §15.6.4, §10.2.3) instead of waiting without end:
// under a flood, the answer "busy, retry" costs nothing, and the work already admitted
// finishes in a bounded time.
import { serviceUnavailable } from './errors.js';

export interface PoolLimits {
  /** Tasks running at once. */
  concurrency: number;
  /** Tasks waiting for a slot; one more is refused. */
  queue: number;
}

export interface PoolStats {
  inUse: number;
  queued: number;
}

export class BoundedPool {
  #limits: PoolLimits;
  #running = 0;
  readonly #waiting: (() => void)[] = [];
  /** Moving average of a task's duration, for Retry-After. */
  #avgMs = 50;
  readonly #onRefused = new Set<() => void>();

  constructor(limits: PoolLimits, private readonly what = 'task') {
    this.#limits = { ...limits };
  }

  get limits(): Readonly<PoolLimits> { return this.#limits; }

  stats(): PoolStats {
    return { inUse: this.#running, queued: this.#waiting.length };
  }

  /** New limits; waiting tasks start at once if the concurrency grew. Running ones finish. */
  resize(limits: PoolLimits): void {
    this.#limits = { ...limits };
    while (this.#running < this.#limits.concurrency && this.#waiting.length > 0) {
      this.#running++;
      this.#waiting.shift()!();
    }
  }

  /** Called on every refusal (metrics); returns the unsubscribe function. */
  onRefused(listener: () => void): () => void {
    this.#onRefused.add(listener);
    return () => { this.#onRefused.delete(listener); };
  }

  /**
   * Runs `task` when a slot is free. Throws the 503 `overloaded` OAuthError, without
   * calling `task`, when every slot is busy and the queue is full.
   */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#running < this.#limits.concurrency) {
      this.#running++;
    } else if (this.#waiting.length < this.#limits.queue) {
      // The slot is handed over by the task that frees it (#release), already counted.
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      for (const l of this.#onRefused) l();
      throw serviceUnavailable('overloaded', this.#drainSeconds(), `${this.what} pool full (${this.#running} running, ${this.#waiting.length} queued)`);
    }
    const started = performance.now();
    try {
      return await task();
    } finally {
      this.#avgMs += (performance.now() - started - this.#avgMs) / 8;
      this.#release();
    }
  }

  #release(): void {
    // A pool shrunk by resize() lets running tasks finish before it hands slots on.
    if (this.#running <= this.#limits.concurrency && this.#waiting.length > 0) this.#waiting.shift()!();
    else this.#running--;
  }

  /** About how long the admitted work takes to drain: a Retry-After that is worth waiting. */
  #drainSeconds(): number {
    const perSlot = (this.#running + this.#waiting.length) / Math.max(1, this.#limits.concurrency);
    return Math.max(1, Math.ceil((perSlot * this.#avgMs) / 1000));
  }
}

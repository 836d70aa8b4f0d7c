// Rate limits (RFC 6819 §4.4.3.6, §5.1.4.2.3): a token bucket per client address, taken
// before a request is read, and one per authenticated client, taken after the client has
// proved who it is and before the grant does any work. Why the client bucket waits for
// authentication: one keyed on a client_id as presented would let anyone empty a
// victim's bucket by naming it (docs/security.md, "Rate limits and client IP").
import type { BucketConfig, RateLimitConfig } from '../config/schema.js';
import { throttled } from '../core/errors.js';
import type { Client } from '../core/types.js';
import { subnetKey } from '../http/client-ip.js';
import type { LimitStore } from './store.js';

export type ThrottleReason = 'ip_rate' | 'client_rate';

export class RateLimits {
  constructor(
    private readonly store: LimitStore,
    private readonly config: RateLimitConfig | false,
    private readonly refused: (reason: ThrottleReason) => void,
  ) {}

  /** One bucket per IPv4 address or IPv6 /64 (`ip` canonical, see http/client-ip.ts). */
  async admitAddress(ip: string): Promise<void> {
    const b = this.config && this.config.ip;
    if (b) await this.#take(b, `rate:ip:${subnetKey(ip)}`, 'ip_rate', `address ${ip}`);
  }

  /**
   * The client authenticated (or named itself, if public). A public client proves nothing
   * (RFC 6749 §2.1): anyone may name it, so a bucket of its own is one anyone can empty.
   * It is limited per address only.
   */
  async admitClient(client: Client): Promise<void> {
    const b = this.config && this.config.client;
    if (!b || client.token_endpoint_auth_method === 'none') return;
    await this.#take(b, `rate:client:${client.client_id}`, 'client_rate', `client ${client.client_id}`);
  }

  /** One token from the bucket `key`, or 429 with Retry-After (counted under `reason`). */
  async #take(b: BucketConfig, key: string, reason: ThrottleReason, whose: string): Promise<void> {
    const { retryAfter } = await this.store.gate({ buckets: [{ key, rate: b.rate, burst: b.burst }] });
    if (retryAfter > 0) {
      this.refused(reason);
      throw throttled(retryAfter, `rate limit of ${whose}`);
    }
  }
}

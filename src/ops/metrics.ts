// Prometheus metrics (GET /metrics): tokens issued by grant, client and format; OAuth errors
// by code; requests refused to protect the server, by reason; request latency by route;
// whether limits are shared (Redis) or per process; the password-hashing pool's occupancy.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { PoolStats } from '../core/bounded-pool.js';

export class Metrics {
  readonly registry = new Registry();
  readonly tokensIssued = new Counter({
    name: 'tessera_tokens_issued_total', help: 'Access tokens issued, by grant type, client and format',
    labelNames: ['grant_type', 'client_id', 'format'] as const, registers: [this.registry],
  });
  readonly errors = new Counter({
    name: 'tessera_oauth_errors_total', help: 'OAuth error responses, by error code',
    labelNames: ['error'] as const, registers: [this.registry],
  });
  /**
   * Requests refused before any credential was checked: a lockout (user_locked, client_locked,
   * ip_locked, token_locked), a rate limit (ip_rate, client_rate), a full hashing pool
   * (password_pool_full).
   */
  readonly throttled = new Counter({
    name: 'tessera_throttled_total', help: 'Requests refused by a lockout, a rate limit or a full password-hashing pool, by reason',
    labelNames: ['reason'] as const, registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'tessera_http_request_duration_seconds', help: 'HTTP request latency, by method, route and status',
    labelNames: ['method', 'route', 'status'] as const, registers: [this.registry],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  });

  readonly limitsDegraded = new Gauge({
    name: 'tessera_limits_degraded', help: '1 while redis_url is set but Redis is unreachable and this process limits alone',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'tessera_' });
  }

  /** A gauge of the password-hashing pool, read at each scrape. */
  watchPasswordPool(stats: () => PoolStats): void {
    new Gauge({
      name: 'tessera_password_hashing_operations', help: 'argon2id verifications running (in_use) and waiting (queued)',
      labelNames: ['state'] as const, registers: [this.registry],
      collect() {
        const s = stats();
        this.set({ state: 'in_use' }, s.inUse);
        this.set({ state: 'queued' }, s.queued);
      },
    });
  }
}

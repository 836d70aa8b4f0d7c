// The limit store a config asks for: Redis (shared, with the in-process fall-back) when
// `redis_url` is set, this process's own counters otherwise.
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { FailoverLimitStore, type FailoverOptions } from './fallback.js';
import { MemoryLimitStore } from './memory.js';
import { RedisLimitStore } from './redis.js';
import type { LimitStore } from './store.js';

export type { LimitStore } from './store.js';

export async function openLimitStore(config: Pick<Config, 'redis_url'>, log: Logger, opts: FailoverOptions = {}): Promise<LimitStore> {
  if (!config.redis_url) return new MemoryLimitStore();
  return new FailoverLimitStore(new RedisLimitStore(config.redis_url), new MemoryLimitStore(), log, opts).start();
}

// An operator's unlock (`tessera user|client unlock`) and how `show` reads a lock. The CLI
// opens the database, not a server's memory: it clears `locked_until` on the row, and a
// server that meets its own lock on that user or client then finds the row unlocked and
// drops the lock (limits/policy.ts) at the next request.
import pino from 'pino';
import type { Config } from '../config/schema.js';
import { useFingerprintKey } from '../core/secrets.js';
import { RedisLimitStore } from '../limits/redis.js';
import { createLogger } from '../ops/logger.js';
import { resolveSecretKey } from '../runtime.js';
import type { Store } from '../core/store.js';
import type { EpochSeconds } from '../core/types.js';
import type { LimitStore } from '../limits/store.js';
import { resetLockKeys } from '../limits/policy.js';

/**
 * The limit store the servers share, for an unlock to reset as well; null while each server
 * keeps its limits in its own memory (then the cleared row is what reaches them). A shared
 * store (Redis, `redis_url`) is opened here; resetting it needs the installation's
 * fingerprint key (useFingerprintKey) to name the servers' keys.
 */
async function sharedLimitStore(config: Config): Promise<LimitStore | null> {
  if (!config.redis_url) return null;
  // resolveSecretKey warns when it has to generate a key file; keep that off stdout.
  useFingerprintKey(resolveSecretKey(config, createLogger('warn', pino.destination({ dest: 2, sync: true }))));
  const redis = new RedisLimitStore(config.redis_url);
  try {
    await redis.ping();
    return redis;
  } catch (e) {
    // The cleared row still reaches the servers: they drop a lock whose row says unlocked.
    process.stderr.write(`note: Redis at redis_url is unreachable (${(e as Error).message}); the lock is cleared in the database, which servers check\n`);
    await redis.close();
    return null;
  }
}

/** Resets a user's or client's lock in the shared limit store, when there is one. */
export async function resetLocks(config: Config, kind: 'user' | 'client', subject: string): Promise<void> {
  const shared = await sharedLimitStore(config);
  if (!shared) return;
  try { await resetLockKeys(shared, kind, subject); } finally { await shared.close(); }
}

/** Clears the lock of a user (by username) or a client; false when there is no such one. */
export async function unlock(store: Store, config: Config, kind: 'user' | 'client', subject: string): Promise<boolean> {
  const found = kind === 'user' ? (await store.users.setLock(subject, null)) !== null : await store.clients.setLock(subject, null);
  if (found) await resetLocks(config, kind, subject);
  return found;
}

/** The lock `show` reports: its end while it lasts, else null. */
export function currentLock(lockedUntil: EpochSeconds | null, now = Date.now()): EpochSeconds | null {
  return lockedUntil !== null && lockedUntil * 1000 > now ? lockedUntil : null;
}

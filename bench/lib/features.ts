// Config for the features the scenarios exercise (limiter, lockout, Redis counters, the
// password-hashing pool). Tessera rejects unknown keys, so each piece is a function that
// returns the key only when the build under test declares it (KEY_TYPES in the config
// schema): the same bench runs on a build without the feature (the variant is skipped with
// a note) and on one with it, with no switch to flip at merge.
import { createConnection } from 'node:net';
import { KEY_TYPES } from '../../src/config/schema.js';

/** Whether this build's config schema declares a top-level key. */
export const supports = (key: string): boolean => Object.prototype.hasOwnProperty.call(KEY_TYPES, key);

type Extra = Record<string, unknown>;

/**
 * Limits far above anything the bench can send (requests per second, and the burst a
 * bucket holds), so the limiter runs its bookkeeping on every request but never throttles.
 */
export const UNREACHABLE_LIMIT = { rate: 1_000_000, burst: 1_000_000 };

/** The limiter off, or the empty object when this build has none. */
export const limiterOff = (): Extra => (supports('rate_limit') ? { rate_limit: false } : {});

/**
 * The limiter on with limits nothing reaches, and the lockout on at its defaults (its gate
 * runs on every request; nothing fails, so it never locks); null when this build has no limiter.
 */
export const limiterOn = (): Extra | null =>
  supports('rate_limit')
    ? { rate_limit: { ip: UNREACHABLE_LIMIT, client: UNREACHABLE_LIMIT }, ...(supports('lockout') ? { lockout: {} } : {}) }
    : null;

/** Counters shared through Redis; null when this build cannot use Redis. */
export const redisCounters = (url: string): Extra | null => (supports('redis_url') ? { redis_url: url } : null);

/** Account lockout off, or the empty object when this build has none. */
export const lockoutOff = (): Extra => (supports('lockout') ? { lockout: false } : {});

/**
 * What every bench Tessera runs with: no limiter and no lockout, since the load comes from
 * one address and (for password grants) one user; the limiter's own cost is measured by its
 * scenario (limiter overhead).
 */
export const baseExtra = (): Extra => ({ ...limiterOff(), ...lockoutOff() });

/** BENCH_REDIS_URL, default a database of the machine's Redis that the tests do not use. */
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/13';

/** PING the Redis server of `url`; the reason as a string when it does not answer +PONG. */
export function pingRedis(url: string, timeoutMs = 2000): Promise<true | string> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = createConnection({ host: u.hostname || '127.0.0.1', port: Number(u.port || 6379) });
    const done = (r: true | string) => { clearTimeout(t); s.destroy(); resolve(r); };
    const t = setTimeout(() => done(`no answer from ${u.host} within ${timeoutMs} ms`), timeoutMs);
    let got = '';
    s.on('connect', () => s.write('*1\r\n$4\r\nPING\r\n'));
    s.on('data', (d) => {
      got += d.toString();
      if (got.includes('\r\n')) done(got.startsWith('+PONG') || got.startsWith('-NOAUTH') ? true : `Redis answered ${got.trim()}`);
    });
    s.on('error', (e) => done(`Redis at ${u.host} not reachable (${e.message})`));
  });
}

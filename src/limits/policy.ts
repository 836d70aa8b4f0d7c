// The lockout policy (RFC 6819 §5.1.4.2.3 "lock accounts", §4.4.3.6 password guessing): what
// a failure costs, when a key locks and for how long. After `threshold` failures of a key
// within its window, the key locks for base_delay * 2^(failures - threshold) seconds, capped
// at max_delay. Keys name a kind and an HMAC fingerprint of the identifier (core/secrets.ts),
// never a raw username, client id or token; only the IP is kept as it is.
//
// A lock on a user or a client that exists is also written on its row (`locked_until`), so
// the CLI, which sees the database and not this process's memory, can show and clear it.
// When the gate meets such a lock whose row says "not locked" (NULL or past), an operator
// unlocked it: the lock is dropped here too and the request goes on.
import type { Logger } from 'pino';
import type { LockoutConfig } from '../config/lockout.js';
import { throttled } from '../core/errors.js';
import { fingerprint } from '../core/secrets.js';
import type { ClientRepo, UserRepo } from '../core/store.js';
import type { LockKind, LockSubject, Throttle } from '../core/throttle.js';
import type { LimitStore } from './store.js';

/** The `reason` label of tessera_throttled_total for a lock of each kind. */
export const LOCKED_REASON: Record<LockKind, string> = {
  ip: 'ip_locked', token: 'token_locked', client: 'client_locked', user: 'user_locked',
};

export interface LockoutDeps {
  limits: LimitStore;
  config: LockoutConfig;
  users: Pick<UserRepo, 'getByUsername' | 'setLock'>;
  /** `get` reads the row itself, not a cached copy: an unlock is seen at the next request. */
  clients: Pick<ClientRepo, 'get' | 'setLock'>;
  log: Logger;
  /** Counts a refused request (tessera_throttled_total{reason}). */
  refused(reason: string): void;
  now?: () => number;
}

/** A subject's key in the LimitStore. */
export function lockKey(s: LockSubject): string {
  return `lockout:${s.kind}:${s.kind === 'ip' ? s.id : fingerprint(s.id)}`;
}

/** The keys an operator's unlock clears: a user's; a client's and its token key. */
export function lockKeys(kind: 'user' | 'client', subject: string): string[] {
  return kind === 'user'
    ? [lockKey({ kind: 'user', id: subject })]
    : [lockKey({ kind: 'client', id: subject }), lockKey({ kind: 'token', id: subject })];
}

/**
 * An operator's unlock in a limit store (`tessera user|client unlock`). Needs the
 * installation's fingerprint key (useFingerprintKey) to name the same keys as the servers.
 */
export async function resetLockKeys(limits: LimitStore, kind: 'user' | 'client', subject: string): Promise<void> {
  await limits.reset(lockKeys(kind, subject));
}

export class Lockout implements Throttle {
  readonly #d: LockoutDeps;
  readonly #now: () => number;

  constructor(deps: LockoutDeps) {
    this.#d = deps;
    this.#now = deps.now ?? Date.now;
  }

  async gate(subjects: readonly LockSubject[]): Promise<void> {
    const pending = [...subjects];
    // Each pass admits, refuses, or drops one lock an operator has cleared and looks again.
    for (;;) {
      const keys = pending.map(lockKey);
      const r = await this.#d.limits.gate({ locks: keys });
      this.#noteFailing(r.failing);
      if (r.retryAfter === 0) return;
      const i = r.key === undefined ? -1 : keys.indexOf(r.key);
      const s = pending[i];
      if (s && (await this.#clearedByOperator(s))) {
        await this.#d.limits.reset([keys[i]!]);
        pending.splice(i, 1);
        continue;
      }
      const kind = s?.kind ?? 'ip';
      this.#d.refused(LOCKED_REASON[kind]);
      throw throttled(r.retryAfter, `${kind} ${s ? this.#label(s) : r.key} is locked out`);
    }
  }

  async failed(subjects: readonly LockSubject[]): Promise<void> {
    const { config } = this.#d;
    const counts = await this.#d.limits.fail(subjects.map((s) => ({ key: lockKey(s), window: config[s.kind].window })));
    await Promise.all(subjects.map(async (s, i) => {
      const failures = counts[i] ?? 0;
      const { threshold } = config[s.kind];
      if (failures < threshold) return;
      const seconds = Math.min(config.max_delay, config.base_delay * 2 ** (failures - threshold));
      // The row first: a request that meets the lock must find the row locked too, or it
      // would take the lock for an operator's unlock.
      const subject = await this.#record(s, seconds);
      await this.#d.limits.lock(lockKey(s), seconds);
      this.#d.log.warn({ event: 'lockout', kind: s.kind, subject, failures, seconds }, `${s.kind} locked out for ${seconds} s`);
    }));
  }

  succeeded(subjects: readonly LockSubject[]): void {
    // Only keys the gate saw failures on: a success with nothing to forget writes nothing
    // (with Redis, no round trip on the hot path).
    const keys = subjects.map(lockKey).filter((k) => this.#failing.delete(k));
    if (keys.length === 0) return;
    this.#d.limits.reset(keys).catch((e: unknown) => this.#d.log.warn({ err: e }, 'clearing lockout failures failed'));
  }

  /** Keys a gate just reported failures on, until a success resets them (bounded). */
  readonly #failing = new Set<string>();

  #noteFailing(keys: readonly string[] | undefined): void {
    if (!keys) return;
    if (this.#failing.size > 10_000) this.#failing.clear();
    for (const k of keys) this.#failing.add(k);
  }

  /** Whether a user's or client's lock was cleared by an operator: it exists and its row holds no current lock. */
  async #clearedByOperator(s: LockSubject): Promise<boolean> {
    if (s.kind !== 'user' && s.kind !== 'client') return false;
    const row = s.kind === 'user' ? await this.#d.users.getByUsername(s.id) : await this.#d.clients.get(s.id);
    if (!row) return false; // unknown names stay locked, exactly as known ones
    return row.locked_until === null || row.locked_until * 1000 <= this.#now();
  }

  /**
   * Writes the lock on a known user's or client's row (rare; a failure is logged and the
   * request goes on). Returns what the log may name: an id, or a fingerprint.
   */
  async #record(s: LockSubject, seconds: number): Promise<string> {
    if (s.kind === 'ip' || s.kind === 'token') return this.#label(s);
    const until = Math.ceil(this.#now() / 1000 + seconds);
    try {
      if (s.kind === 'user') {
        const id = await this.#d.users.setLock(s.id, until);
        return id === null ? fingerprint(s.id) : `user id ${id}`;
      }
      return (await this.#d.clients.setLock(s.id, until)) ? s.id : fingerprint(s.id);
    } catch (e) {
      this.#d.log.warn({ err: e, kind: s.kind, subject: fingerprint(s.id) }, 'writing a lockout to the database failed');
      return fingerprint(s.id);
    }
  }

  /** A subject in a log line: the IP, the id of a client that authenticated (token), else a fingerprint. */
  #label(s: LockSubject): string {
    return s.kind === 'ip' || s.kind === 'token' ? s.id : fingerprint(s.id);
  }
}

// The lockout policy on an in-process limit store with a controlled clock: thresholds,
// exponential back-off and its cap, what a success forgets, keys without raw identifiers,
// the row written for known users and clients, an operator's unlock, one log line per lock.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import pino from 'pino';
import { validateLockout, type LockoutConfig } from '../../src/config/lockout.js';
import { isOAuthError } from '../../src/core/errors.js';
import { lockSubject, type LockSubject } from '../../src/core/throttle.js';
import { MemoryLimitStore } from '../../src/limits/memory.js';
import { Lockout, lockKey, resetLockKeys } from '../../src/limits/policy.js';

const USER = 'alice@example.com';

function setup(overrides: Record<string, unknown> = {}) {
  let now = 1_700_000_000_000;
  const clock = { now: () => now, advance: (s: number) => { now += s * 1000; } };
  const limits = new MemoryLimitStore({ now: clock.now });
  const config = validateLockout({ user: { threshold: 3 }, client: { threshold: 2 }, ip: { threshold: 100 }, base_delay: 2, max_delay: 10, ...overrides }) as LockoutConfig;
  const userRows = new Map<string, { id: string; locked_until: number | null }>([[USER, { id: 'u-1', locked_until: null }]]);
  const clientRows = new Map<string, { locked_until: number | null }>([['app', { locked_until: null }]]);
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({ write(chunk, _e, cb) { lines.push(JSON.parse(String(chunk))); cb(); } });
  const refused: string[] = [];
  const lockout = new Lockout({
    limits, config, log: pino({ level: 'info' }, sink), now: clock.now, refused: (r) => refused.push(r),
    users: {
      getByUsername: async (u) => { const r = userRows.get(u); return r ? ({ ...r, username: u } as never) : null; },
      setLock: async (u, until) => { const r = userRows.get(u); if (!r) return null; r.locked_until = until === null ? null : Math.max(until, r.locked_until ?? 0); return r.id; },
    },
    clients: {
      get: async (id) => { const r = clientRows.get(id); return r ? ({ ...r, client_id: id } as never) : null; },
      setLock: async (id, until) => { const r = clientRows.get(id); if (r) r.locked_until = until; return r !== undefined; },
    },
  });
  /** The gate's answer: 0 = admitted, else Retry-After. */
  const gate = async (...s: LockSubject[]) => {
    try { await lockout.gate(s); return 0; } catch (e) {
      assert.ok(isOAuthError(e) && e.status === 429 && e.reason === 'throttled');
      return Number(e.headers['retry-after']);
    }
  };
  return { clock, limits, lockout, gate, userRows, clientRows, lines, refused };
}

describe('lockout policy', () => {
  it('locks at the threshold, doubles per further failure, caps at max_delay', async () => {
    const { lockout, gate, clock } = setup();
    const u = lockSubject.user(USER);
    await lockout.failed([u]);
    await lockout.failed([u]);
    assert.equal(await gate(u), 0, 'below the threshold');
    await lockout.failed([u]);
    assert.equal(await gate(u), 2, 'threshold reached: base_delay');
    clock.advance(2);
    assert.equal(await gate(u), 0, 'the lock ran out');
    await lockout.failed([u]);
    assert.equal(await gate(u), 4, 'one more failure: twice as long');
    clock.advance(4);
    await lockout.failed([u]);
    assert.equal(await gate(u), 8);
    clock.advance(8);
    await lockout.failed([u]);
    assert.equal(await gate(u), 10, 'capped at max_delay');
  });

  it('keys hold no raw username or client id; a success forgets the user and client, never the IP', async () => {
    const { lockout, gate, limits } = setup({ ip: { threshold: 3 } });
    const u = lockSubject.user(USER);
    const ip = lockSubject.ip('192.0.2.7');
    assert.ok(!lockKey(u).includes(USER) && lockKey(u).startsWith('lockout:user:hmac:'));
    assert.ok(!lockKey(lockSubject.client('app')).includes(':app'));
    assert.equal(lockKey(ip), 'lockout:ip:192.0.2.7');
    await lockout.failed([u, ip]);
    await lockout.failed([u, ip]);
    await lockout.gate([ip, u]); // a success always follows its request's gate
    lockout.succeeded([u]);
    await new Promise((r) => setImmediate(r));
    assert.equal((await limits.state(lockKey(u))).failures, 0);
    assert.equal((await limits.state(lockKey(ip))).failures, 2);
    await lockout.failed([u, ip]);
    assert.equal(await gate(u), 0, 'the user starts over');
    assert.equal(await gate(lockSubject.user('someone-else'), ip), 2, 'the IP does not');
  });

  it('a success writes nothing when its gate saw no failures', async () => {
    const { lockout, limits } = setup();
    const u = lockSubject.user('clean');
    let resets = 0;
    const reset = limits.reset.bind(limits);
    limits.reset = (keys) => { resets++; return reset(keys); };
    await lockout.gate([u]);
    lockout.succeeded([u]);
    assert.equal(resets, 0);
  });

  it('writes the lock on a known user\'s row; an operator clearing it unlocks; an unknown name stays locked', async () => {
    const { lockout, gate, userRows, clientRows, refused, limits } = setup();
    const known = lockSubject.user(USER);
    const unknown = lockSubject.user('nobody@example.com');
    for (let i = 0; i < 3; i++) await lockout.failed([known, unknown]);
    assert.equal(userRows.get(USER)!.locked_until, 1_700_000_000 + 2);
    assert.equal(await gate(known), 2);
    assert.equal(await gate(unknown), 2, 'an unknown name answers exactly as a known one');
    // `tessera user unlock`: the row is cleared; the server drops its own lock at the next request.
    userRows.get(USER)!.locked_until = null;
    assert.equal(await gate(known), 0);
    assert.equal((await limits.state(lockKey(known))).failures, 0, 'and its failures');
    assert.equal(await gate(unknown), 2);
    // Clients likewise; other keys of the same request are still checked after a cleared one.
    const app = lockSubject.client('app');
    await lockout.failed([app]);
    await lockout.failed([app]);
    assert.equal(clientRows.get('app')!.locked_until, 1_700_000_000 + 2);
    clientRows.get('app')!.locked_until = null;
    assert.equal(await gate(app, unknown), 2);
    assert.equal(await gate(app), 0);
    assert.deepEqual(refused, ['user_locked', 'user_locked', 'user_locked', 'user_locked']);
  });

  it('one warn line per lockout, naming the user by id or fingerprint, never by name', async () => {
    const { lockout, lines } = setup();
    for (let i = 0; i < 4; i++) await lockout.failed([lockSubject.user(USER), lockSubject.user('ghost-user')]);
    const locks = lines.filter((l) => l.event === 'lockout');
    assert.equal(locks.length, 4, 'failures 3 and 4, for each of the two names');
    assert.ok(!JSON.stringify(lines).includes(USER) && !JSON.stringify(lines).includes('ghost-user'));
    assert.deepEqual(locks.map((l) => [l.kind, l.level, l.failures, l.seconds]), [['user', 40, 3, 2], ['user', 40, 3, 2], ['user', 40, 4, 4], ['user', 40, 4, 4]]);
    assert.ok(locks.some((l) => l.subject === 'user id u-1'));
    assert.ok(locks.some((l) => typeof l.subject === 'string' && l.subject.startsWith('hmac:')));
  });

  it('resetLockKeys clears what an operator unlocks: the user, or the client and its token key', async () => {
    const { lockout, gate, limits } = setup({ token: { threshold: 1 } });
    for (let i = 0; i < 3; i++) await lockout.failed([lockSubject.user(USER)]);
    await lockout.failed([lockSubject.token('app')]);
    await resetLockKeys(limits, 'user', USER);
    await resetLockKeys(limits, 'client', 'app');
    assert.equal((await limits.state(lockKey(lockSubject.user(USER)))).lockedFor, 0);
    assert.equal(await gate(lockSubject.token('app')), 0);
  });
});

// Dropping dead rows without stalling the token endpoint. Expired tokens (and the families
// they leave empty) and grace-period successors go in small batches, each one short
// transaction, with a pause between batches: a rotation never waits behind a long lock,
// and on SQLite (in this process) the event loop is never blocked for long.
import type { Logger } from 'pino';
import type { BrowserSessionRepo, ClientRepo, CodeRepo, RegistrationTokenRepo, Store, TokenRepo } from '../core/store.js';

/**
 * Rows per table per batch, and the pause between two batches. SQLite runs a batch inside
 * this process's event loop (better-sqlite3 is synchronous): small batches (a few ms each)
 * and a long pause keep every request's wait short. PostgreSQL only takes row locks on the
 * rows it deletes, which no request needs (they expired), so its batches can be larger.
 * bench/experiments/purge.ts measures refresh latency during a purge.
 */
export const PURGE_SETTINGS: Record<Store['kind'], { batch: number; pauseMs: number }> = {
  sqlite: { batch: 250, pauseMs: 100 },
  postgres: { batch: 1000, pauseMs: 50 },
};
/** How often the purge runs: also how long a successor outlives its grace period at most. */
export const PURGE_INTERVAL_MS = 60_000;
/**
 * Rows are purged this long after they expire: a request that read a token just before its
 * expiry (or an instance whose clock is a little behind) never has it vanish mid-request.
 */
export const PURGE_MARGIN_SECONDS = 60;

export interface PurgeOptions {
  batch?: number;
  pauseMs?: number;
  /** Checked between batches: stop early (the server is closing). */
  stopped?: () => boolean;
}

export interface Purged {
  tokens: number;
  successors: number;
  /** Authorization codes and browser sessions. */
  signins: number;
  /** Registered clients deleted (idle, or their secret expired) and expired initial access tokens. */
  registrations: number;
  batches: number;
}

/** What the purge empties: the token tables, and the sign-in ones when given. */
export interface Purgeable {
  tokens: TokenRepo;
  codes?: Pick<CodeRepo, 'purge'>;
  sessions?: Pick<BrowserSessionRepo, 'purge'>;
  registrations?: RegistrationPurge;
}

/** Dynamically registered clients (RFC 7591) past their expiry, and expired initial access tokens. */
export interface RegistrationPurge {
  clients: Pick<ClientRepo, 'expiredRegistrations' | 'delete'>;
  tokens: Pick<RegistrationTokenRepo, 'purge'>;
  /** Seconds a registered client may go unused (registration.idle_ttl); 0: no idle expiry. */
  idleTtl: number;
}

/** Everything dead before `before`, batch after batch. */
export async function purgeAll({ tokens, codes, sessions, registrations }: Purgeable, before: number, opts: PurgeOptions = {}): Promise<Purged> {
  const batch = opts.batch ?? PURGE_SETTINGS.postgres.batch;
  const pause = () => new Promise((res) => setTimeout(res, opts.pauseMs ?? PURGE_SETTINGS.postgres.pauseMs));
  const done: Purged = { tokens: 0, successors: 0, signins: 0, registrations: 0, batches: 0 };
  const loop = async (step: () => Promise<number>, add: (n: number) => void, full: number) => {
    for (;;) {
      if (opts.stopped?.()) return;
      const n = await step();
      add(n);
      done.batches++;
      if (n < full) return;
      await pause();
    }
  };
  // Successors first: they are the secret part.
  await loop(() => tokens.forgetSuccessors(before, batch), (n) => { done.successors += n; }, batch);
  // A batch takes up to `batch` rows from each of two tables: go on until one takes none.
  await loop(() => tokens.purgeExpired(before, batch), (n) => { done.tokens += n; }, 1);
  if (codes) await loop(() => codes.purge(before, batch), (n) => { done.signins += n; }, batch);
  if (sessions) await loop(() => sessions.purge(before, batch), (n) => { done.signins += n; }, batch);
  if (registrations) {
    const { clients, idleTtl } = registrations;
    // Never used since `idleBefore` (0: no idle expiry), or its secret expired before `before`.
    const idleBefore = idleTtl > 0 ? before - idleTtl : 0;
    // Each client goes with its tokens in its own transaction (ClientRepo.delete).
    const step = async () => {
      let n = 0;
      for (const id of await clients.expiredRegistrations(idleBefore, before, batch)) if (await clients.delete(id)) n++;
      return n;
    };
    await loop(step, (n) => { done.registrations += n; }, batch);
    await loop(() => registrations.tokens.purge(before, batch), (n) => { done.registrations += n; }, batch);
  }
  return done;
}

/** Runs purgeAll every PURGE_INTERVAL_MS (on any instance; batches from several do not conflict). */
export function startPurging(
  store: Pick<Store, 'kind' | 'tokens' | 'codes' | 'sessions' | 'clients' | 'registrationTokens'>, log: Logger, intervalMs = PURGE_INTERVAL_MS,
  registrationIdleTtl = 0,
): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  let stopped = false;
  const timer = setInterval(() => {
    if (running) return;
    const before = Math.floor(Date.now() / 1000) - PURGE_MARGIN_SECONDS;
    const registrations = { clients: store.clients, tokens: store.registrationTokens, idleTtl: registrationIdleTtl };
    running = purgeAll({ ...store, registrations }, before, { ...PURGE_SETTINGS[store.kind], stopped: () => stopped })
      .then(
        (p) => {
          if (p.tokens + p.successors + p.signins + p.registrations > 0) {
            log.info({ rows: p.tokens, successors: p.successors, signins: p.signins, registrations: p.registrations, batches: p.batches }, 'purged expired tokens');
          }
        },
        (e: unknown) => log.warn({ err: e }, 'purging expired tokens failed'),
      )
      .finally(() => { running = null; });
  }, intervalMs);
  timer.unref();
  return {
    stop: async () => { stopped = true; clearInterval(timer); await running; },
  };
}

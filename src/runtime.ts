// Wires a Tessera instance from a validated config: secret key, store (migrated), the
// config's entities, signing keys and the core services. HTTP is built on top (http/app.ts).
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ConfigError } from './config/error.js';
import { SECRET_KEY_MIN_LENGTH, type Config } from './config/schema.js';
import { isWorker, shareMetrics } from './cluster.js';
import { cachedClients, CLIENT_STALE_IF_ERROR_SECONDS } from './core/client-cache.js';
import { DEFAULT_ID_TOKEN_ALG } from './core/id-token.js';
import { TokenInspector } from './core/inspect.js';
import { KEY_RELOAD_SECONDS } from './core/key-schedule.js';
import { KeyManager } from './core/keys.js';
import { SuccessorSeal } from './core/rotation.js';
import { configurePasswordHashing, passwordPool } from './core/password.js';
import { randomToken, useFingerprintKey } from './core/secrets.js';
import type { Store } from './core/store.js';
import { noThrottle, type Throttle } from './core/throttle.js';
import { TokenService } from './core/token-service.js';
import { devEntities } from './dev/index.js';
import { builtInEntities } from './dialects/index.js';
import { applyEntities } from './entities.js';
import { consoleEntities } from './admin/console/client.js';
import { bootstrapAdmin, type BootstrapCredentials } from './admin/bootstrap.js';
import { openLimitStore, type LimitStore } from './limits/index.js';
import { Lockout } from './limits/policy.js';
import { RateLimits } from './limits/rate.js';
import { Metrics } from './ops/metrics.js';
import { startPurging } from './ops/purge.js';
import { registrationIdleTtl } from './config/registration.js';
import { openStore } from './store/index.js';
import { storeUnavailable } from './store/unavailable.js';
import { FormSeal } from './web/seal.js';

export interface Tessera {
  config: Config;
  store: Store;
  keys: KeyManager;
  tokens: TokenService;
  inspector: TokenInspector;
  metrics: Metrics;
  /** Throttling state (lockouts, rate limits): this process's, or Redis shared by all instances. */
  limits: LimitStore;
  /** The lockout over `limits` (limits/policy.ts), or noThrottle with `lockout: false`. */
  lockout: Throttle;
  /** The `rate_limit` buckets, kept in `limits`. */
  rateLimits: RateLimits;
  log: Logger;
  /** Seals the sign-in pages' forms and makes their CSRF tokens (web/seal.ts). */
  formSeal: FormSeal;
  /** Managed entities (built-in, dev) not written because an operator's holds the name. */
  kept: ReadonlySet<string>;
  /** The first admin client's credentials, made by this start (admin/bootstrap.ts), to print once. */
  bootstrap: BootstrapCredentials | null;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** false: leave entities alone (node:cluster workers; the primary applied them). */
  applyEntities?: boolean;
  /** `serve --dev`: apply the dev fixtures (any other start removes them). */
  dev?: boolean;
}

/**
 * `secret_key` (TESSERA_SECRET_KEY), else a key generated once into data_dir/secret.key
 * (0600, in a 0700 folder). A key file held to the same rules as the variable: an empty or
 * truncated one is refused, never used as a weak key.
 */
export function resolveSecretKey(config: Config, log: Logger): string {
  if (config.secret_key) return config.secret_key;
  const file = join(config.data_dir, 'secret.key');
  if (existsSync(file)) {
    const key = readFileSync(file, 'utf8').trim();
    if (key.length < SECRET_KEY_MIN_LENGTH) {
      throw new ConfigError('secret_key', `${file} is ${key ? `shorter than ${SECRET_KEY_MIN_LENGTH} characters` : 'empty'}; restore the key this database was set up with, or set TESSERA_SECRET_KEY`);
    }
    return key;
  }
  mkdirSync(config.data_dir, { recursive: true, mode: 0o700 });
  const key = randomToken(32);
  writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  log.warn({ file }, 'TESSERA_SECRET_KEY is not set: generated a key-encryption secret into this file. Set TESSERA_SECRET_KEY (the same on every instance) in production.');
  return key;
}

/**
 * Longest lifetime of a signed token (any client's access token, the id_token): how long a
 * retired key must stay published.
 */
export async function maxAccessTtl(store: Store, config: Config): Promise<number> {
  const ttls = (await store.clients.list()).map((c) => c.access_token_ttl ?? 0);
  return Math.max(config.access_token_ttl, config.id_token_ttl, ...ttls);
}

export async function openTessera(config: Config, log: Logger, opts: OpenOptions = {}): Promise<Tessera> {
  const secret = resolveSecretKey(config, log);
  useFingerprintKey(secret);
  // Per process, like libuv's thread pool it spares (core/password.ts).
  configurePasswordHashing(config.password_hashing);
  const raw = await openStore(config.database);
  const store: Store = {
    ...raw,
    clients: cachedClients(raw.clients, config.client_cache_ttl * 1000, {
      staleMs: CLIENT_STALE_IF_ERROR_SECONDS * 1000, isOutage: (e) => storeUnavailable(e) !== undefined,
    }),
  };
  try {
    const applied = await store.migrate();
    if (applied.length > 0) log.info({ versions: applied }, 'applied database migrations');
    let kept: ReadonlySet<string> = new Set();
    let bootstrap: BootstrapCredentials | null = null;
    if (opts.applyEntities !== false) {
      const managed = [...builtInEntities(config), ...consoleEntities(config), ...(opts.dev ? [devEntities(config, secret)] : [])];
      ({ kept } = await applyEntities(store, { config, managed }, log));
      bootstrap = await bootstrapAdmin(store, config, log);
    }
    let maxTtl = await maxAccessTtl(store, config);
    const keys = new KeyManager(store.keys, secret, () => maxTtl, { publishAhead: config.key_publish_ahead });
    await keys.load();
    await keys.current(config.signing_alg);
    // OIDC Core §15.1: id_tokens are RS256 unless a client asks for ES256. Made at start when
    // a client can sign people in, so the JWKS a relying party fetches first already has it
    // (a client added later gets it on its first id_token, core/id-token.ts).
    // The console's own client does not count: its id_token is read in-process, never
    // verified against the JWKS.
    if ((await store.clients.list()).some((c) => c.managed_by !== 'console' && c.grant_types.includes('authorization_code'))) {
      await keys.current(DEFAULT_ID_TOKEN_ALG);
    }
    const metrics = new Metrics();
    if (isWorker()) shareMetrics(metrics.registry);
    const limits = await openLimitStore(config, log, { onChange: (degraded) => metrics.limitsDegraded.set(degraded ? 1 : 0) });
    const lockout: Throttle = config.lockout === false ? noThrottle : new Lockout({
      limits, config: config.lockout, users: store.users, log,
      // A locked client's row is read past the cache: a cached copy from before the lock
      // would read as an operator's unlock (another instance's lock, with a shared store).
      clients: { get: (id) => raw.clients.get(id), setLock: (id, until) => store.clients.setLock(id, until) },
      refused: (reason) => metrics.throttled.inc({ reason }),
    });
    metrics.watchPasswordPool(() => passwordPool.stats());
    const unwatch = passwordPool.onRefused(() => metrics.throttled.inc({ reason: 'password_pool_full' }));
    const rateLimits = new RateLimits(limits, config.rate_limit, (reason) => metrics.throttled.inc({ reason }));
    const tokens = new TokenService(store, keys, new SuccessorSeal(secret), config, {
      issued: (e) => metrics.tokensIssued.inc({ grant_type: e.grant, client_id: e.client_id, format: e.format }),
    }, lockout, (client) => rateLimits.admitClient(client));
    const inspector = new TokenInspector(store, keys, config);
    // Pick up keys rotated by the CLI or another instance (well before they sign: see
    // key-schedule.ts), and refresh the key retention window.
    const timer = setInterval(() => {
      void (async () => { maxTtl = await maxAccessTtl(store, config); await keys.load(); })().catch((e: unknown) => log.warn({ err: e }, 'key reload failed'));
    }, KEY_RELOAD_SECONDS * 1000);
    timer.unref();
    // Expired tokens and ended grace periods, in small batches (ops/purge.ts).
    const purge = startPurging(store, log, undefined, registrationIdleTtl(config));
    return {
      config, store, keys, tokens, inspector, metrics, limits, lockout, rateLimits, log, kept, formSeal: new FormSeal(secret), bootstrap,
      close: async () => { clearInterval(timer); await purge.stop(); unwatch(); await limits.close(); await store.close(); },
    };
  } catch (e) {
    await store.close();
    throw e;
  }
}

// Validation with messages that name the key and the problem.
import {
  AUTH_METHODS, CLIENT_PROFILES, GRANT_TYPES, ID_TOKEN_ALGS, INTROSPECT_SCOPES, SIGNING_ALGS, TOKEN_FORMATS,
} from '../core/types.js';
import { redirectUri, validateBranding, webUrl } from './signin.js';
import { JWKS_MAX_AGE, KEY_RELOAD_SECONDS, MIN_KEY_PUBLISH_AHEAD } from '../core/key-schedule.js';
import { defaultFormatFor } from '../core/profiles/index.js';
import { MAX_GRACE_PERIOD } from '../core/rotation.js';
import { isValidScopeToken } from '../core/scope.js';
import { ConfigError } from './error.js';
import { validateLockout } from './lockout.js';
import { validateLimits } from './limits.js';
import {
  DEFAULTS, DIALECTS, KEY_TYPES, SECRET_KEY_MIN_LENGTH, type ClientConfig, type Config, type ParticipantConfig,
  type PasswordHashingConfig, type UserConfig,
} from './schema.js';

type Raw = Record<string, unknown>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function str(raw: Raw, key: string, path: string, required = false): string | undefined {
  const v = raw[key];
  if (v === undefined || v === null) {
    if (required) throw new ConfigError(`${path}${key}`, 'is required');
    return undefined;
  }
  if (typeof v !== 'string' && typeof v !== 'number') throw new ConfigError(`${path}${key}`, 'must be a string');
  if (required && String(v).trim() === '') throw new ConfigError(`${path}${key}`, 'must not be empty');
  return String(v);
}

export function int(raw: Raw, key: string, path: string, min: number, max: number): number | undefined {
  const v = raw[key];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${path}${key}`, `must be a whole number from ${min} to ${max}`);
  }
  return n;
}

function bool(raw: Raw, key: string, path: string): boolean | undefined {
  const v = raw[key];
  if (v === undefined || v === null) return undefined;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw new ConfigError(`${path}${key}`, 'must be true or false');
}

function oneOf<T extends string>(raw: Raw, key: string, path: string, allowed: readonly T[]): T | undefined {
  const v = str(raw, key, path);
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) {
    throw new ConfigError(`${path}${key}`, `must be one of ${allowed.join(', ')} (got ${JSON.stringify(v)})`);
  }
  return v as T;
}

function strList(raw: Raw, key: string, path: string): string[] | undefined {
  const v = raw[key];
  if (v === undefined || v === null) return undefined;
  const arr = typeof v === 'string' ? v.split(/[\s,]+/).filter(Boolean) : v;
  if (!Array.isArray(arr) || arr.some((x) => typeof x !== 'string')) {
    throw new ConfigError(`${path}${key}`, 'must be a list of strings');
  }
  return arr as string[];
}

function entries(raw: Raw, key: string): Raw[] {
  const v = raw[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new ConfigError(key, 'must be a list');
  return v.map((e, i) => {
    if (typeof e !== 'object' || e === null || Array.isArray(e)) throw new ConfigError(`${key}[${i}]`, 'must be a mapping');
    return e as Raw;
  });
}

export function unknownKeys(raw: Raw, allowed: readonly string[], path: string): void {
  for (const k of Object.keys(raw)) {
    if (!allowed.includes(k)) throw new ConfigError(`${path}${k}`, 'is not a known key');
  }
}

/** RFC 6749 §3.3: each scope token is printable ASCII without space, `"` or `\`. */
function scopeList(r: Raw, path: string): string[] {
  const scopes = strList(r, 'scope', path) ?? [];
  const bad = scopes.find((s) => !isValidScopeToken(s));
  if (bad !== undefined) throw new ConfigError(`${path}scope`, `${JSON.stringify(bad)} is not a valid scope token (RFC 6749 §3.3)`);
  return scopes;
}

/**
 * RFC 6749 Appendix A.1, A.2: client_id and client_secret are VSCHAR (%x20-7E), `:` `%`
 * `+` and space included; HTTP Basic carries them form-url-encoded (§2.3.1).
 */
function vschar(value: string, key: string, appendix: string): string {
  if (!/^[\x20-\x7E]*$/.test(value)) {
    throw new ConfigError(key, `must be printable ASCII (%x20-7E, RFC 6749 Appendix ${appendix}): no control characters or non-ASCII`);
  }
  return value;
}

const CLIENT_KEYS = [
  'client_id', 'client_secret', 'client_name', 'grant_types', 'scope', 'token_endpoint_auth_method',
  'access_token_format', 'access_token_ttl', 'refresh_token_ttl', 'audience', 'access_token_signing_alg',
  'resources', 'profile', 'introspect', 'refresh_token_idle_ttl', 'refresh_token_grace_period', 'disabled',
  'redirect_uris', 'post_logout_redirect_uris', 'first_party', 'allow_plain_pkce', 'id_token_signed_response_alg',
  'logo_uri', 'client_uri', 'policy_uri', 'tos_uri',
] as const;

export function validateClient(r: Raw, path: string): ClientConfig {
  unknownKeys(r, CLIENT_KEYS, path);
  const client_id = vschar(str(r, 'client_id', path, true)!, `${path}client_id`, 'A.1');
  if (client_id.length > 255) throw new ConfigError(`${path}client_id`, 'must be at most 255 characters');
  const secret = str(r, 'client_secret', path);
  const client_secret = secret === undefined ? undefined : vschar(secret, `${path}client_secret`, 'A.2');
  const method = oneOf(r, 'token_endpoint_auth_method', path, AUTH_METHODS)
    ?? (client_secret === undefined ? 'none' : 'client_secret_basic');
  if (method === 'none' && client_secret !== undefined) throw new ConfigError(`${path}client_secret`, 'a public client (token_endpoint_auth_method: none) has no secret');
  if (method !== 'none' && client_secret === undefined) throw new ConfigError(`${path}client_secret`, `is required for ${method}`);
  // A public client cannot use client_credentials (RFC 6749 §4.4), so it defaults to the
  // user grants instead.
  const grant_types = strList(r, 'grant_types', path) ?? (method === 'none' ? ['password', 'refresh_token'] : ['client_credentials']);
  for (const g of grant_types) {
    if (!(GRANT_TYPES as readonly string[]).includes(g)) throw new ConfigError(`${path}grant_types`, `unknown grant type ${JSON.stringify(g)} (supported: ${GRANT_TYPES.join(', ')})`);
  }
  if (method === 'none' && grant_types.includes('client_credentials')) throw new ConfigError(`${path}grant_types`, 'a public client cannot use client_credentials (RFC 6749 §4.4)');
  const c: ClientConfig = {
    client_id,
    grant_types: grant_types as ClientConfig['grant_types'],
    scope: scopeList(r, path).join(' '),
    token_endpoint_auth_method: method,
    // A dialect profile may default to another format (`o`: opaque, as Django-OAuth-Toolkit).
    access_token_format: oneOf(r, 'access_token_format', path, TOKEN_FORMATS) ?? defaultFormatFor(str(r, 'profile', path)),
    resources: strList(r, 'resources', path) ?? [],
    redirect_uris: (strList(r, 'redirect_uris', path) ?? []).map((u) => redirectUri(u, `${path}redirect_uris`)),
    post_logout_redirect_uris: (strList(r, 'post_logout_redirect_uris', path) ?? []).map((u) => redirectUri(u, `${path}post_logout_redirect_uris`)),
  };
  // RFC 6749 §3.1.2.2: the code flow needs a registered redirect URI.
  if (c.grant_types.includes('authorization_code') && c.redirect_uris?.length === 0) {
    throw new ConfigError(`${path}redirect_uris`, 'is required for the authorization_code grant (RFC 6749 §3.1.2.2)');
  }
  const opt = {
    client_secret,
    client_name: str(r, 'client_name', path),
    access_token_ttl: int(r, 'access_token_ttl', path, 1, 31_536_000),
    refresh_token_ttl: int(r, 'refresh_token_ttl', path, 1, 315_360_000),
    audience: str(r, 'audience', path),
    access_token_signing_alg: oneOf(r, 'access_token_signing_alg', path, SIGNING_ALGS),
    profile: oneOf(r, 'profile', path, CLIENT_PROFILES),
    introspect: oneOf(r, 'introspect', path, INTROSPECT_SCOPES),
    refresh_token_idle_ttl: int(r, 'refresh_token_idle_ttl', path, 1, 315_360_000),
    refresh_token_grace_period: int(r, 'refresh_token_grace_period', path, 0, MAX_GRACE_PERIOD),
    disabled: bool(r, 'disabled', path),
    first_party: bool(r, 'first_party', path),
    allow_plain_pkce: bool(r, 'allow_plain_pkce', path),
    id_token_signed_response_alg: oneOf(r, 'id_token_signed_response_alg', path, ID_TOKEN_ALGS),
    logo_uri: r.logo_uri === undefined ? undefined : webUrl(r.logo_uri, `${path}logo_uri`),
    client_uri: r.client_uri === undefined ? undefined : webUrl(r.client_uri, `${path}client_uri`),
    policy_uri: r.policy_uri === undefined ? undefined : webUrl(r.policy_uri, `${path}policy_uri`),
    tos_uri: r.tos_uri === undefined ? undefined : webUrl(r.tos_uri, `${path}tos_uri`),
  };
  for (const [k, v] of Object.entries(opt)) if (v !== undefined) (c as unknown as Raw)[k] = v;
  return c;
}

export function validateUser(r: Raw, path: string): UserConfig {
  unknownKeys(r, ['username', 'password', 'email', 'email_verified', 'name', 'given_name', 'family_name', 'picture', 'locale', 'roles', 'participant_code', 'disabled'], path);
  const u: UserConfig = {
    username: str(r, 'username', path, true)!,
    password: str(r, 'password', path, true)!,
    roles: strList(r, 'roles', path) ?? [],
  };
  for (const k of ['email', 'name', 'given_name', 'family_name', 'locale', 'participant_code'] as const) {
    const v = str(r, k, path);
    if (v !== undefined) u[k] = v;
  }
  if (r.picture !== undefined) u.picture = webUrl(r.picture, `${path}picture`);
  for (const k of ['disabled', 'email_verified'] as const) {
    const v = bool(r, k, path);
    if (v !== undefined) u[k] = v;
  }
  return u;
}

export function validateParticipant(r: Raw, path: string): ParticipantConfig {
  unknownKeys(r, ['participant_code', 'name', 'roles'], path);
  const p: ParticipantConfig = { participant_code: str(r, 'participant_code', path, true)!, roles: strList(r, 'roles', path) ?? [] };
  const name = str(r, 'name', path);
  if (name !== undefined) p.name = name;
  return p;
}

/**
 * localhost, 127.0.0.0/8 or ::1 (bracketed or not): traffic there never leaves the machine.
 * The issuer rule (RFC 8414 §2) and `serve --dev` both use it.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** A new key must be seen by every cached JWKS and every instance before it signs. */
function publishAhead(raw: Raw): number {
  const v = int(raw, 'key_publish_ahead', '', 0, 2_592_000) ?? DEFAULTS.key_publish_ahead;
  if (v < MIN_KEY_PUBLISH_AHEAD) {
    throw new ConfigError('key_publish_ahead', `must be at least ${MIN_KEY_PUBLISH_AHEAD} s: the JWKS cache age (${JWKS_MAX_AGE} s) plus the key reload interval (${KEY_RELOAD_SECONDS} s)`);
  }
  return v;
}

/**
 * The argon2id pool: at least one thread, and a queue that may be 0 (refuse whenever every
 * thread is busy). The upper bounds only catch typos: each running verification holds
 * 19 MiB, and a long queue is only a long wait.
 */
function passwordHashing(raw: Raw): PasswordHashingConfig {
  const v = raw.password_hashing;
  if (v === undefined || v === null) return { ...DEFAULTS.password_hashing };
  if (typeof v !== 'object' || Array.isArray(v)) throw new ConfigError('password_hashing', 'must be a mapping (concurrency, queue)');
  const r = v as Raw;
  unknownKeys(r, ['concurrency', 'queue'], 'password_hashing.');
  return {
    concurrency: int(r, 'concurrency', 'password_hashing.', 1, 64) ?? DEFAULTS.password_hashing.concurrency,
    queue: int(r, 'queue', 'password_hashing.', 0, 100_000) ?? DEFAULTS.password_hashing.queue,
  };
}

function unique<T>(items: T[], key: (t: T) => string, path: string): void {
  const seen = new Set<string>();
  items.forEach((t, i) => {
    const k = key(t);
    if (seen.has(k)) throw new ConfigError(`${path}[${i}]`, `duplicate entry ${JSON.stringify(k)}`);
    seen.add(k);
  });
}

/** The admin API's listener (src/admin) and where /metrics is served. */
function adminListener(raw: Raw, port: number): Pick<Config, 'admin' | 'admin_host' | 'admin_port' | 'admin_bootstrap' | 'metrics_listener'> {
  const admin = bool(raw, 'admin', '') ?? DEFAULTS.admin;
  const admin_port = int(raw, 'admin_port', '', 0, 65535) ?? DEFAULTS.admin_port;
  if (admin && admin_port !== 0 && admin_port === port) throw new ConfigError('admin_port', `must differ from port (${port})`);
  const metrics_listener = oneOf(raw, 'metrics_listener', '', ['admin', 'public'] as const) ?? (admin ? 'admin' : 'public');
  if (!admin && metrics_listener === 'admin') throw new ConfigError('metrics_listener', 'is admin but admin is false: set metrics_listener: public, or turn the admin listener on');
  return {
    admin, admin_host: str(raw, 'admin_host', '') ?? DEFAULTS.admin_host, admin_port,
    admin_bootstrap: bool(raw, 'admin_bootstrap', '') ?? DEFAULTS.admin_bootstrap, metrics_listener,
  };
}

export function validateConfig(raw: Raw): Config {
  unknownKeys(raw, Object.keys(KEY_TYPES), '');
  const host = str(raw, 'host', '') ?? DEFAULTS.host;
  const port = int(raw, 'port', '', 0, 65535) ?? DEFAULTS.port;
  const tls_cert = str(raw, 'tls_cert', '');
  const tls_key = str(raw, 'tls_key', '');
  if ((tls_cert === undefined) !== (tls_key === undefined)) throw new ConfigError(tls_cert ? 'tls_key' : 'tls_cert', 'tls_cert and tls_key must be set together');
  const scheme = tls_cert ? 'https' : 'http';
  const issuer = str(raw, 'issuer', '') ?? `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let issuerUrl: URL;
  try { issuerUrl = new URL(issuer); } catch { throw new ConfigError('issuer', 'must be an absolute http(s) URL'); }
  // RFC 8414 §2: the issuer has no query or fragment.
  if (!/^https?:$/.test(issuerUrl.protocol) || issuerUrl.search || issuerUrl.hash) throw new ConfigError('issuer', 'must be an http(s) URL without query or fragment');
  const allow_insecure_issuer = bool(raw, 'allow_insecure_issuer', '') ?? DEFAULTS.allow_insecure_issuer;
  // RFC 8414 §2: the issuer uses https. Plain http is only for this machine, or on purpose.
  if (issuerUrl.protocol === 'http:' && !isLoopbackHost(issuerUrl.hostname) && !allow_insecure_issuer) {
    const derived = raw.issuer === undefined ? ` (derived from host ${host})` : '';
    throw new ConfigError('issuer', `${issuerUrl.origin}${derived} is not https (RFC 8414 §2): set issuer to your public https URL, or set allow_insecure_issuer: true`);
  }
  const database = str(raw, 'database', '') ?? DEFAULTS.database;
  if (!/^(sqlite:|postgres(ql)?:\/\/)/.test(database)) throw new ConfigError('database', 'must be sqlite:PATH or a postgres:// URL');
  const dialects = strList(raw, 'dialects', '') ?? [...DEFAULTS.dialects];
  for (const d of dialects) if (!(DIALECTS as readonly string[]).includes(d)) throw new ConfigError('dialects', `unknown dialect ${JSON.stringify(d)} (known: ${DIALECTS.join(', ')})`);

  const clients = entries(raw, 'clients').map((c, i) => validateClient(c, `clients[${i}].`));
  const users = entries(raw, 'users').map((u, i) => validateUser(u, `users[${i}].`));
  const participants = entries(raw, 'participants').map((p, i) => validateParticipant(p, `participants[${i}].`));
  unique(clients, (c) => c.client_id, 'clients');
  unique(users, (u) => u.username, 'users');
  unique(participants, (p) => p.participant_code, 'participants');

  const cfg: Config = {
    issuer: issuer.replace(/\/$/, ''),
    allow_insecure_issuer,
    host, port, database,
    data_dir: str(raw, 'data_dir', '') ?? DEFAULTS.data_dir,
    access_token_ttl: int(raw, 'access_token_ttl', '', 1, 31_536_000) ?? DEFAULTS.access_token_ttl,
    refresh_token_ttl: int(raw, 'refresh_token_ttl', '', 1, 315_360_000) ?? DEFAULTS.refresh_token_ttl,
    refresh_token_grace_period: int(raw, 'refresh_token_grace_period', '', 0, MAX_GRACE_PERIOD) ?? DEFAULTS.refresh_token_grace_period,
    signing_alg: oneOf(raw, 'signing_alg', '', SIGNING_ALGS) ?? DEFAULTS.signing_alg,
    key_publish_ahead: publishAhead(raw),
    client_cache_ttl: int(raw, 'client_cache_ttl', '', 0, 3600) ?? DEFAULTS.client_cache_ttl,
    workers: raw.workers === 'auto' ? 'auto' : int(raw, 'workers', '', 1, 64) ?? DEFAULTS.workers,
    log_level: oneOf(raw, 'log_level', '', LOG_LEVELS) ?? DEFAULTS.log_level,
    password_hashing: passwordHashing(raw),
    dialects: dialects as Config['dialects'],
    hcx_client_id: str(raw, 'hcx_client_id', '') ?? DEFAULTS.hcx_client_id,
    lockout: validateLockout(raw.lockout),
    ...validateLimits(raw),
    authorization_code_ttl: int(raw, 'authorization_code_ttl', '', 1, 600) ?? DEFAULTS.authorization_code_ttl,
    id_token_ttl: int(raw, 'id_token_ttl', '', 60, 86_400) ?? DEFAULTS.id_token_ttl,
    session_ttl: int(raw, 'session_ttl', '', 60, 2_592_000) ?? DEFAULTS.session_ttl,
    branding: validateBranding(raw.branding),
    ...adminListener(raw, port),
    clients, users, participants,
  };
  if (tls_cert && tls_key) { cfg.tls_cert = tls_cert; cfg.tls_key = tls_key; }
  const idle = int(raw, 'refresh_token_idle_ttl', '', 1, 315_360_000);
  if (idle !== undefined) cfg.refresh_token_idle_ttl = idle;
  const redis_url = str(raw, 'redis_url', '');
  if (redis_url !== undefined) {
    if (!/^rediss?:\/\/[^/]/.test(redis_url)) throw new ConfigError('redis_url', 'must be a redis:// or rediss:// URL');
    cfg.redis_url = redis_url;
  }
  const secret_key = str(raw, 'secret_key', '');
  if (secret_key !== undefined) {
    if (secret_key.length < SECRET_KEY_MIN_LENGTH) throw new ConfigError('secret_key', `must be at least ${SECRET_KEY_MIN_LENGTH} characters`);
    cfg.secret_key = secret_key;
  }
  return cfg;
}

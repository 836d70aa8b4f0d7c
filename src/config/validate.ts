// Validation with messages that name the key and the problem.
import { CLIENT_METADATA, METADATA_FIELDS, type FieldKind, type MetadataField } from '../core/client-metadata.js';
import { AUTH_METHODS, GRANT_TYPES, SIGNING_ALGS, TOKEN_FORMATS } from '../core/types.js';
import { redirectUri, validateBranding, webUrl } from './signin.js';
import { JWKS_MAX_AGE, KEY_RELOAD_SECONDS, MIN_KEY_PUBLISH_AHEAD } from '../core/key-schedule.js';
import { defaultFormatFor } from '../core/profiles/index.js';
import { MAX_GRACE_PERIOD } from '../core/rotation.js';
import { isValidScopeToken } from '../core/scope.js';
import type { CredentialPolicy } from '../core/credential-policy.js';
import { closestKey, ConfigError, Problems } from './error.js';
import { isLoopbackHost } from './loopback.js';
import { validateLockout } from './lockout.js';
import { validateLimits } from './limits.js';
import { validateRegistration } from './registration.js';
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
  const problems = new Problems();
  for (const k of Object.keys(raw)) {
    if (allowed.includes(k)) continue;
    const near = closestKey(k, allowed);
    problems.check(() => { throw new ConfigError(`${path}${k}`, `is not a known key${near ? `; did you mean ${near}?` : ''}`); }, undefined);
  }
  problems.throwIfAny();
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

/** Keys a client entry may have: client_id, client_secret and the metadata table. */
export const CLIENT_KEYS = ['client_id', 'client_secret', ...METADATA_FIELDS] as const;

/** Fields whose default or check depends on another field: read by validateClient itself. */
const CROSS_FIELD = new Set<MetadataField>(['grant_types', 'token_endpoint_auth_method', 'access_token_format']);

/**
 * Bounds no real client reaches, so that a registration (RFC 7591, possibly open to anyone)
 * cannot store megabytes per client.
 */
const MAX_TEXT = 2048;
const MAX_ITEMS = 50;

/** One metadata field, read and checked by its kind in the table; undefined when absent. */
export function metadataField(r: Raw, k: MetadataField, path: string): unknown {
  const v = metadataValue(r, k, path);
  // Scopes and resources are the operator's lists (registration checks them against its own).
  const type = CLIENT_METADATA[k].kind.type;
  if (type === 'scope' || type === 'list') return v;
  if (typeof v === 'string' && v.length > MAX_TEXT) throw new ConfigError(`${path}${k}`, `must be at most ${MAX_TEXT} characters`);
  if (Array.isArray(v)) {
    if (v.length > MAX_ITEMS) throw new ConfigError(`${path}${k}`, `must have at most ${MAX_ITEMS} entries`);
    if (v.some((x) => typeof x === 'string' && x.length > MAX_TEXT)) throw new ConfigError(`${path}${k}`, `entries must be at most ${MAX_TEXT} characters`);
  }
  return v;
}

function metadataValue(r: Raw, k: MetadataField, path: string): unknown {
  const kind: FieldKind = CLIENT_METADATA[k].kind;
  switch (kind.type) {
    case 'string': return str(r, k, path);
    case 'url': return r[k] === undefined || r[k] === null ? undefined : webUrl(r[k], `${path}${k}`);
    case 'scope': return scopeList(r, path).join(' ');
    case 'list': return strList(r, k, path);
    case 'redirect_uris': return strList(r, k, path)?.map((u) => redirectUri(u, `${path}${k}`));
    case 'bool': return bool(r, k, path);
    case 'int': return int(r, k, path, kind.min, kind.max);
    case 'enum': return oneOf(r, k, path, kind.values);
  }
}

export function validateClient(r: Raw, path: string): ClientConfig {
  // Each field's problem is reported, not only the first (config/error.ts Problems).
  const p = new Problems();
  const c0 = <T>(step: () => T, fallback: T): T => p.check(step, fallback);
  c0(() => unknownKeys(r, CLIENT_KEYS, path), undefined);
  const client_id = c0(() => {
    const id = vschar(str(r, 'client_id', path, true)!, `${path}client_id`, 'A.1');
    if (id.length > 255) throw new ConfigError(`${path}client_id`, 'must be at most 255 characters');
    return id;
  }, '');
  const client_secret = c0(() => {
    const secret = str(r, 'client_secret', path);
    return secret === undefined ? undefined : vschar(secret, `${path}client_secret`, 'A.2');
  }, undefined);
  const method = c0(() => oneOf(r, 'token_endpoint_auth_method', path, AUTH_METHODS), undefined)
    ?? (client_secret === undefined ? 'none' : 'client_secret_basic');
  if (method === 'none' && client_secret !== undefined) p.list.push(new ConfigError(`${path}client_secret`, 'a public client (token_endpoint_auth_method: none) has no secret'));
  if (method !== 'none' && client_secret === undefined && r.client_secret === undefined) p.list.push(new ConfigError(`${path}client_secret`, `is required for ${method}`));
  // A public client cannot use client_credentials (RFC 6749 §4.4), so it defaults to the
  // user grants instead.
  const grant_types = c0(() => {
    const list = strList(r, 'grant_types', path) ?? (method === 'none' ? ['password', 'refresh_token'] : ['client_credentials']);
    for (const g of list) {
      if (!(GRANT_TYPES as readonly string[]).includes(g)) throw new ConfigError(`${path}grant_types`, `unknown grant type ${JSON.stringify(g)} (supported: ${GRANT_TYPES.join(', ')})`);
    }
    if (method === 'none' && list.includes('client_credentials')) throw new ConfigError(`${path}grant_types`, 'a public client cannot use client_credentials (RFC 6749 §4.4)');
    return list;
  }, [] as string[]);
  const c = {
    client_id,
    grant_types: grant_types as ClientConfig['grant_types'],
    token_endpoint_auth_method: method,
    // A dialect profile may default to another format (`o`: opaque, as Django-OAuth-Toolkit).
    access_token_format: c0(() => oneOf(r, 'access_token_format', path, TOKEN_FORMATS) ?? defaultFormatFor(str(r, 'profile', path)), 'jwt'),
    resources: [],
    scope: '',
  } as ClientConfig;
  if (client_secret !== undefined) c.client_secret = client_secret;
  for (const k of METADATA_FIELDS) {
    if (CROSS_FIELD.has(k)) continue;
    const v = c0(() => metadataField(r, k, path), undefined);
    if (v !== undefined) (c as unknown as Raw)[k] = v;
  }
  // RFC 6749 §3.1.2.2: the code flow needs a registered redirect URI.
  if (c.grant_types.includes('authorization_code') && (c.redirect_uris ?? []).length === 0 && r.redirect_uris === undefined) {
    p.list.push(new ConfigError(`${path}redirect_uris`, 'is required for the authorization_code grant (RFC 6749 §3.1.2.2)'));
  }
  p.throwIfAny();
  return c;
}

export const USER_KEYS = ['username', 'password', 'email', 'email_verified', 'name', 'given_name', 'family_name', 'picture', 'locale', 'roles', 'participant_code', 'disabled'] as const;

export function validateUser(r: Raw, path: string): UserConfig {
  unknownKeys(r, USER_KEYS, path);
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

export { isLoopbackHost };

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

/** Floors only: a policy weaker than these is a typo, not a choice. */
function credentialPolicy(raw: Raw): CredentialPolicy {
  const v = raw.credential_policy;
  if (v === undefined || v === null) return { ...DEFAULTS.credential_policy };
  if (typeof v !== 'object' || Array.isArray(v)) throw new ConfigError('credential_policy', 'must be a mapping (password_min_length, client_secret_min_length)');
  const r = v as Raw;
  unknownKeys(r, ['password_min_length', 'client_secret_min_length'], 'credential_policy.');
  return {
    password_min_length: int(r, 'password_min_length', 'credential_policy.', 8, 128) ?? DEFAULTS.credential_policy.password_min_length,
    client_secret_min_length: int(r, 'client_secret_min_length', 'credential_policy.', 16, 256) ?? DEFAULTS.credential_policy.client_secret_min_length,
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
function adminListener(raw: Raw, port: number): Pick<Config, 'admin' | 'admin_host' | 'admin_port' | 'admin_bootstrap' | 'admin_url' | 'metrics_listener'> {
  const admin = bool(raw, 'admin', '') ?? DEFAULTS.admin;
  const admin_port = int(raw, 'admin_port', '', 0, 65535) ?? DEFAULTS.admin_port;
  if (admin && admin_port !== 0 && admin_port === port) throw new ConfigError('admin_port', `must differ from port (${port})`);
  const metrics_listener = oneOf(raw, 'metrics_listener', '', ['admin', 'public'] as const) ?? (admin ? 'admin' : 'public');
  if (!admin && metrics_listener === 'admin') throw new ConfigError('metrics_listener', 'is admin but admin is false: set metrics_listener: public, or turn the admin listener on');
  const admin_url = str(raw, 'admin_url', '');
  if (admin_url !== undefined) {
    let u: URL | undefined;
    try { u = new URL(admin_url); } catch { /* below */ }
    if (!u || !/^https?:$/.test(u.protocol) || u.pathname !== '/' || u.search || u.hash || u.username) {
      throw new ConfigError('admin_url', 'must be an http(s) origin without a path, e.g. https://admin.example.com');
    }
  }
  return {
    admin, admin_host: str(raw, 'admin_host', '') ?? DEFAULTS.admin_host, admin_port,
    admin_bootstrap: bool(raw, 'admin_bootstrap', '') ?? DEFAULTS.admin_bootstrap, metrics_listener,
    ...(admin_url !== undefined ? { admin_url: admin_url.replace(/\/$/, '') } : {}),
  };
}

export function validateConfig(raw: Raw): Config {
  // Every problem is reported at once: each step that fails records its error and goes on
  // with the default, so later checks still run (config/error.ts Problems).
  const p = new Problems();
  const c = <T>(step: () => T, fallback: T): T => p.check(step, fallback);
  c(() => unknownKeys(raw, Object.keys(KEY_TYPES), ''), undefined);
  const host = c(() => str(raw, 'host', ''), undefined) ?? DEFAULTS.host;
  const port = c(() => int(raw, 'port', '', 0, 65535), undefined) ?? DEFAULTS.port;
  const tls_cert = c(() => str(raw, 'tls_cert', ''), undefined);
  const tls_key = c(() => str(raw, 'tls_key', ''), undefined);
  if ((tls_cert === undefined) !== (tls_key === undefined)) p.list.push(new ConfigError(tls_cert ? 'tls_key' : 'tls_cert', 'tls_cert and tls_key must be set together'));
  const scheme = tls_cert ? 'https' : 'http';
  const issuer = c(() => str(raw, 'issuer', ''), undefined) ?? `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const allow_insecure_issuer = c(() => bool(raw, 'allow_insecure_issuer', ''), undefined) ?? DEFAULTS.allow_insecure_issuer;
  c(() => checkIssuer(issuer, raw.issuer === undefined ? host : undefined, allow_insecure_issuer), undefined);
  const database = c(() => str(raw, 'database', ''), undefined) ?? DEFAULTS.database;
  if (!/^(sqlite:|postgres(ql)?:\/\/)/.test(database)) p.list.push(new ConfigError('database', 'must be sqlite:PATH or a postgres:// URL'));
  const dialects = c(() => {
    const list = strList(raw, 'dialects', '') ?? [...DEFAULTS.dialects];
    for (const d of list) if (!(DIALECTS as readonly string[]).includes(d)) throw new ConfigError('dialects', `unknown dialect ${JSON.stringify(d)} (known: ${DIALECTS.join(', ')})`);
    return list;
  }, [...DEFAULTS.dialects]);

  const each = <T>(key: string, one: (r: Raw, path: string) => T): T[] =>
    c(() => entries(raw, key), []).flatMap((e, i) => c(() => [one(e, `${key}[${i}].`)], []));
  const clients = each('clients', validateClient);
  const users = each('users', validateUser);
  const participants = each('participants', validateParticipant);
  c(() => unique(clients, (x) => x.client_id, 'clients'), undefined);
  c(() => unique(users, (u) => u.username, 'users'), undefined);
  c(() => unique(participants, (x) => x.participant_code, 'participants'), undefined);

  const cfg: Config = {
    issuer: issuer.replace(/\/$/, ''),
    allow_insecure_issuer,
    host, port, database,
    data_dir: c(() => str(raw, 'data_dir', ''), undefined) ?? DEFAULTS.data_dir,
    access_token_ttl: c(() => int(raw, 'access_token_ttl', '', 1, 31_536_000), undefined) ?? DEFAULTS.access_token_ttl,
    refresh_token_ttl: c(() => int(raw, 'refresh_token_ttl', '', 1, 315_360_000), undefined) ?? DEFAULTS.refresh_token_ttl,
    refresh_token_grace_period: c(() => int(raw, 'refresh_token_grace_period', '', 0, MAX_GRACE_PERIOD), undefined) ?? DEFAULTS.refresh_token_grace_period,
    signing_alg: c(() => oneOf(raw, 'signing_alg', '', SIGNING_ALGS), undefined) ?? DEFAULTS.signing_alg,
    key_publish_ahead: c(() => publishAhead(raw), DEFAULTS.key_publish_ahead),
    client_cache_ttl: c(() => int(raw, 'client_cache_ttl', '', 0, 3600), undefined) ?? DEFAULTS.client_cache_ttl,
    workers: raw.workers === 'auto' ? 'auto' : c(() => int(raw, 'workers', '', 1, 64), undefined) ?? DEFAULTS.workers,
    log_level: c(() => oneOf(raw, 'log_level', '', LOG_LEVELS), undefined) ?? DEFAULTS.log_level,
    password_hashing: c(() => passwordHashing(raw), { ...DEFAULTS.password_hashing }),
    credential_policy: c(() => credentialPolicy(raw), { ...DEFAULTS.credential_policy }),
    dialects: dialects as Config['dialects'],
    hcx_client_id: c(() => str(raw, 'hcx_client_id', ''), undefined) ?? DEFAULTS.hcx_client_id,
    lockout: c(() => validateLockout(raw.lockout), false),
    ...c(() => validateLimits(raw), validateLimits({})),
    authorization_code_ttl: c(() => int(raw, 'authorization_code_ttl', '', 1, 600), undefined) ?? DEFAULTS.authorization_code_ttl,
    id_token_ttl: c(() => int(raw, 'id_token_ttl', '', 60, 86_400), undefined) ?? DEFAULTS.id_token_ttl,
    session_ttl: c(() => int(raw, 'session_ttl', '', 60, 2_592_000), undefined) ?? DEFAULTS.session_ttl,
    branding: c(() => validateBranding(raw.branding), validateBranding(undefined)),
    registration: c(() => validateRegistration(raw.registration), false),
    ...c(() => adminListener(raw, port), adminListener({}, 0)),
    clients, users, participants,
  };
  if (tls_cert && tls_key) { cfg.tls_cert = tls_cert; cfg.tls_key = tls_key; }
  const idle = c(() => int(raw, 'refresh_token_idle_ttl', '', 1, 315_360_000), undefined);
  if (idle !== undefined) cfg.refresh_token_idle_ttl = idle;
  const redis_url = c(() => str(raw, 'redis_url', ''), undefined);
  if (redis_url !== undefined) {
    if (!/^rediss?:\/\/[^/]/.test(redis_url)) p.list.push(new ConfigError('redis_url', 'must be a redis:// or rediss:// URL'));
    cfg.redis_url = redis_url;
  }
  const secret_key = c(() => str(raw, 'secret_key', ''), undefined);
  if (secret_key !== undefined) {
    if (secret_key.length < SECRET_KEY_MIN_LENGTH) p.list.push(new ConfigError('secret_key', `must be at least ${SECRET_KEY_MIN_LENGTH} characters`));
    cfg.secret_key = secret_key;
  }
  p.throwIfAny();
  return cfg;
}

/** RFC 8414 §2: an absolute https URL without query or fragment; plain http only on loopback or on purpose. */
function checkIssuer(issuer: string, derivedFromHost: string | undefined, allowInsecure: boolean): void {
  let issuerUrl: URL;
  try { issuerUrl = new URL(issuer); } catch { throw new ConfigError('issuer', 'must be an absolute http(s) URL'); }
  if (!/^https?:$/.test(issuerUrl.protocol) || issuerUrl.search || issuerUrl.hash) throw new ConfigError('issuer', 'must be an http(s) URL without query or fragment');
  if (issuerUrl.protocol === 'http:' && !isLoopbackHost(issuerUrl.hostname) && !allowInsecure) {
    const derived = derivedFromHost !== undefined ? ` (derived from host ${derivedFromHost})` : '';
    throw new ConfigError('issuer', `${issuerUrl.origin}${derived} is not https (RFC 8414 §2): set issuer to your public https URL, or set allow_insecure_issuer: true`);
  }
}

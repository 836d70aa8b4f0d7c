// The configuration's shape and defaults. Key names are fixed: other tools rely on them.
import { DEFAULT_KEY_PUBLISH_AHEAD } from '../core/key-schedule.js';
import { DEFAULT_CREDENTIAL_POLICY, type CredentialPolicy } from '../core/credential-policy.js';
import type { LockoutConfig } from './lockout.js';
import type { RegistrationConfig } from './registration.js';
import { DEFAULT_BRANDING, type BrandingConfig } from './signin.js';
import { DEFAULT_PASSWORD_HASHING } from '../core/password.js';
import type { MetadataField } from '../core/client-metadata.js';
import type { Client, SigningAlg } from '../core/types.js';

/** Fields every validated client has (their defaults depend on other fields). */
type SetClientFields = 'grant_types' | 'scope' | 'token_endpoint_auth_method' | 'access_token_format' | 'resources';

/**
 * A client as the config file (and the CLI, and RFC 7591 registration) spells it: client_id,
 * client_secret, and the fields of the metadata table (core/client-metadata.ts).
 */
export type ClientConfig = { client_id: string; client_secret?: string }
  & Pick<Client, SetClientFields>
  & { [K in Exclude<MetadataField, SetClientFields>]?: NonNullable<Client[K]> };

export interface UserConfig {
  username: string;
  password: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  given_name?: string;
  family_name?: string;
  picture?: string;
  locale?: string;
  roles: string[];
  participant_code?: string;
  disabled?: boolean;
}

export interface PasswordHashingConfig {
  /** argon2id verifications running at once, each on its own thread. */
  concurrency: number;
  /** Verifications waiting for a thread; beyond this a request gets 503 + Retry-After. */
  queue: number;
}

export interface ParticipantConfig {
  participant_code: string;
  name?: string;
  roles: string[];
}

/** A token bucket: `rate` requests per second on average, `burst` at once. */
export interface BucketConfig {
  rate: number;
  burst: number;
}

/** Per client IP and per authenticated client; `false` turns one (or, at the top, both) off. */
export interface RateLimitConfig {
  ip: BucketConfig | false;
  client: BucketConfig | false;
}

export const DIALECTS = ['o', 'apk', 'hcx', 'v1'] as const;
export type DialectName = (typeof DIALECTS)[number];

export interface Config {
  issuer: string;
  /** Accept an `http:` issuer that is not loopback (RFC 8414 §2 requires https). */
  allow_insecure_issuer: boolean;
  host: string;
  port: number;
  tls_cert?: string;
  tls_key?: string;
  database: string;
  /** Where generated state lives (the secret key file when `secret_key` is unset). */
  data_dir: string;
  /** Encrypts signing keys at rest; TESSERA_SECRET_KEY. */
  secret_key?: string;
  access_token_ttl: number;
  refresh_token_ttl: number;
  /** Seconds a refresh token may go unused before it expires; unset: no idle limit. */
  refresh_token_idle_ttl?: number;
  /**
   * Seconds after a rotation in which presenting the rotated refresh token again returns the
   * same successor (core/rotation.ts); 0 = strict rotation.
   */
  refresh_token_grace_period: number;
  signing_alg: SigningAlg;
  /** Seconds a rotated-in signing key is published in the JWKS before it signs. */
  key_publish_ahead: number;
  /** Redis shared by every instance for lockout and rate-limit counters; unset: in-process. */
  redis_url?: string;
  /** Processes serving requests (node:cluster); `auto` = one per CPU. */
  workers: number | 'auto';
  /** Seconds a client read from the store is reused; 0 turns the cache off. */
  client_cache_ttl: number;
  log_level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** The bounded pool every argon2id verification goes through (per process). */
  password_hashing: PasswordHashingConfig;
  /** Shortest passwords and client secrets the CLI accepts (core/credential-policy.ts). */
  credential_policy: CredentialPolicy;
  dialects: DialectName[];
  /** The built-in public client HCX tokens are issued to. */
  hcx_client_id: string;
  /** Failure counting and lockout (config/lockout.ts); false: off. */
  lockout: LockoutConfig | false;
  /** Token buckets on the token, introspection, revocation and dialect routes; false: none. */
  rate_limit: RateLimitConfig | false;
  /** CIDRs (or addresses) of proxies whose X-Forwarded-For / Forwarded names the client. */
  trusted_proxies: string[];
  /** Seconds a client has to send the request line and headers. */
  http_headers_timeout: number;
  /** Seconds a client has to send the whole request, body included. */
  http_request_timeout: number;
  /** Seconds an idle keep-alive connection is kept open. */
  http_keep_alive_timeout: number;
  /** Open connections per process; 0: no limit. */
  max_connections: number;
  /** Open connections per client address (an IPv6 /64) per process, trusted proxies exempt; 0: no limit. */
  max_connections_per_ip: number;
  /** Seconds an authorization code may be exchanged after it is issued (RFC 6749 §4.1.2). */
  authorization_code_ttl: number;
  /** Seconds an id_token is valid (OIDC Core §2 exp). */
  id_token_ttl: number;
  /** Seconds a browser sign-in session lasts; after it the user signs in again. */
  session_ttl: number;
  /** The admin REST API's own listener (src/admin); false: no admin listener. */
  admin: boolean;
  admin_host: string;
  /** 0: a free port (tests). */
  admin_port: number;
  /** On first start, create the `tessera-admin` client and print its secret once. */
  admin_bootstrap: boolean;
  /**
   * The admin listener's URL as a browser reaches it (a public name behind a proxy): the web
   * console's redirect URI is `<admin_url>/admin/callback`. Unset: http(s)://admin_host:admin_port.
   */
  admin_url?: string;
  /** Which listener serves GET /metrics: the admin one (default while it runs) or the public one. */
  metrics_listener: 'admin' | 'public';
  /** Product name, logo and colours of the hosted pages. */
  branding: BrandingConfig;
  /** RFC 7591/7592 dynamic client registration (config/registration.ts); false: off. */
  registration: RegistrationConfig | false;
  clients: ClientConfig[];
  users: UserConfig[];
  participants: ParticipantConfig[];
}

/** Shortest accepted secret key (TESSERA_SECRET_KEY or data_dir/secret.key): 32 characters. */
export const SECRET_KEY_MIN_LENGTH = 32;

export const DEFAULTS = {
  allow_insecure_issuer: false,
  host: '127.0.0.1',
  port: 8080,
  database: 'sqlite:./data/tessera.db',
  data_dir: './data',
  access_token_ttl: 3600,
  refresh_token_ttl: 2592000,
  refresh_token_grace_period: 0,
  signing_alg: 'ES256',
  key_publish_ahead: DEFAULT_KEY_PUBLISH_AHEAD,
  client_cache_ttl: 5,
  workers: 1,
  log_level: 'info',
  password_hashing: DEFAULT_PASSWORD_HASHING,
  credential_policy: DEFAULT_CREDENTIAL_POLICY,
  dialects: [...DIALECTS],
  hcx_client_id: 'hcx',
  rate_limit: { ip: { rate: 1000, burst: 2000 }, client: { rate: 1000, burst: 2000 } },
  trusted_proxies: [],
  http_headers_timeout: 10,
  http_request_timeout: 30,
  http_keep_alive_timeout: 72,
  max_connections: 10_000,
  max_connections_per_ip: 256,
  authorization_code_ttl: 60,
  id_token_ttl: 3600,
  session_ttl: 28_800,
  branding: DEFAULT_BRANDING,
  registration: false,
  admin: true,
  admin_host: '127.0.0.1',
  admin_port: 8081,
  admin_bootstrap: true,
  clients: [],
  users: [],
  participants: [],
} as const satisfies Partial<Config>;

/** Every top-level key, with the type used to read its TESSERA_<KEY> override. */
export const KEY_TYPES: Record<keyof Config, 'string' | 'number' | 'boolean' | 'list' | 'object' | 'mapping'> = {
  issuer: 'string', allow_insecure_issuer: 'boolean', host: 'string', port: 'number', tls_cert: 'string', tls_key: 'string',
  database: 'string', data_dir: 'string', secret_key: 'string', redis_url: 'string',
  access_token_ttl: 'number', refresh_token_ttl: 'number', refresh_token_idle_ttl: 'number', refresh_token_grace_period: 'number', signing_alg: 'string', key_publish_ahead: 'number',
  client_cache_ttl: 'number', workers: 'string', log_level: 'string', password_hashing: 'mapping', credential_policy: 'mapping',
  dialects: 'list', hcx_client_id: 'string', lockout: 'object', clients: 'list', users: 'list', participants: 'list',
  rate_limit: 'object', trusted_proxies: 'list', http_headers_timeout: 'number', http_request_timeout: 'number',
  http_keep_alive_timeout: 'number', max_connections: 'number', max_connections_per_ip: 'number',
  authorization_code_ttl: 'number', id_token_ttl: 'number', session_ttl: 'number', branding: 'mapping',
  registration: 'object',
  admin: 'boolean', admin_host: 'string', admin_port: 'number', admin_bootstrap: 'boolean', admin_url: 'string', metrics_listener: 'string',
};

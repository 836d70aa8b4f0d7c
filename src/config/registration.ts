// The `registration` key: RFC 7591 dynamic client registration and RFC 7592 management.
// Off by default. On, it needs an initial access token (made with `tessera registration token
// create`) unless opened to anyone explicitly with `initial_access_token: open`.
import { ADMIN_SCOPE, isValidScopeToken } from '../core/scope.js';
import { ConfigError } from './error.js';
import { int, unknownKeys } from './validate.js';

export interface RegistrationConfig {
  /** RFC 7591 §3: `required` = a Bearer initial access token on every registration; `open` = anyone. */
  initial_access_token: 'required' | 'open';
  /** Seconds a registered client's secret works (RFC 7591 client_secret_expires_at); 0 = never expires. */
  client_secret_ttl: number;
  /** Seconds a registered client may go unused before the purge deletes it; 0 = never. */
  idle_ttl: number;
  /** Scopes a registered client may have; its `scope` defaults to all of them. */
  allowed_scopes: string;
}

const DAY = 86_400;

export const REGISTRATION_DEFAULTS: RegistrationConfig = {
  initial_access_token: 'required',
  client_secret_ttl: 90 * DAY,
  idle_ttl: 30 * DAY,
  allowed_scopes: 'openid profile email offline_access',
};

const KEYS = ['initial_access_token', 'client_secret_ttl', 'idle_ttl', 'allowed_scopes'] as const;

export function validateRegistration(raw: unknown): RegistrationConfig | false {
  if (raw === undefined || raw === null || raw === false || raw === 'false') return false;
  if (raw === true || raw === 'true') return { ...REGISTRATION_DEFAULTS };
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError('registration', `must be false, true or a mapping (${KEYS.join(', ')})`);
  const r = raw as Record<string, unknown>;
  unknownKeys(r, KEYS, 'registration.');
  const out: RegistrationConfig = { ...REGISTRATION_DEFAULTS };
  if (r.initial_access_token !== undefined) {
    if (r.initial_access_token !== 'required' && r.initial_access_token !== 'open') {
      throw new ConfigError('registration.initial_access_token', 'must be required or open (anyone may register a client: only on purpose)');
    }
    out.initial_access_token = r.initial_access_token;
  }
  out.client_secret_ttl = int(r, 'client_secret_ttl', 'registration.', 0, 3650 * DAY) ?? out.client_secret_ttl;
  out.idle_ttl = int(r, 'idle_ttl', 'registration.', 0, 3650 * DAY) ?? out.idle_ttl;
  if (r.allowed_scopes !== undefined) {
    const v = r.allowed_scopes;
    const list = typeof v === 'string' ? v.split(/[\s,]+/).filter(Boolean) : v;
    if (!Array.isArray(list) || list.some((s) => typeof s !== 'string' || !isValidScopeToken(s))) {
      throw new ConfigError('registration.allowed_scopes', 'must be a list of scope tokens (RFC 6749 §3.3)');
    }
    // Anyone holding an initial access token (or anyone, when open) could otherwise make an admin client.
    if ((list as string[]).includes(ADMIN_SCOPE)) throw new ConfigError('registration.allowed_scopes', `must not include ${ADMIN_SCOPE}: admin clients are made by the operator (CLI, admin API)`);
    out.allowed_scopes = (list as string[]).join(' ');
  }
  return out;
}

/**
 * The idle expiry the purge applies to registered clients: the configured one, and the
 * default while registration is switched off (clients registered before still expire).
 */
export function registrationIdleTtl(config: { registration: RegistrationConfig | false }): number {
  return config.registration === false ? REGISTRATION_DEFAULTS.idle_ttl : config.registration.idle_ttl;
}

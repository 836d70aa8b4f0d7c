// The `lockout` key: failure counting and exponential lockout (src/limits/policy.ts).
// `false` turns it off; a partial mapping merges with the defaults, rule by rule.
import { ConfigError } from './error.js';
import { int, unknownKeys } from './validate.js';

/** After `threshold` failures of one key, remembered `window` seconds after its last failure, the key locks. */
export interface LockoutRule {
  threshold: number;
  window: number;
}

export interface LockoutConfig {
  /** Failed passwords per username (password grant and the dialects that use it). */
  user: LockoutRule;
  /** Failed client authentications per client_id. */
  client: LockoutRule;
  /** Failures of any kind per client IP. */
  ip: LockoutRule;
  /** Invalid refresh tokens and unknown introspected tokens per client. */
  token: LockoutRule;
  /** Seconds of the first lock; each further failure doubles it. */
  base_delay: number;
  /** The longest lock, in seconds. */
  max_delay: number;
}

export const LOCKOUT_DEFAULTS: LockoutConfig = {
  user: { threshold: 5, window: 3600 },
  client: { threshold: 10, window: 3600 },
  ip: { threshold: 50, window: 3600 },
  token: { threshold: 20, window: 3600 },
  base_delay: 1,
  max_delay: 900,
};

const RULES = ['user', 'client', 'ip', 'token'] as const;
const DAY = 86_400;

function rule(raw: unknown, name: (typeof RULES)[number]): LockoutRule {
  const path = `lockout.${name}.`;
  const d = LOCKOUT_DEFAULTS[name];
  if (raw === undefined || raw === null) return { ...d };
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`lockout.${name}`, 'must be a mapping with threshold and window');
  const r = raw as Record<string, unknown>;
  unknownKeys(r, ['threshold', 'window'], path);
  return {
    threshold: int(r, 'threshold', path, 1, 1_000_000) ?? d.threshold,
    window: int(r, 'window', path, 1, 30 * DAY) ?? d.window,
  };
}

export function validateLockout(raw: unknown): LockoutConfig | false {
  if (raw === false || raw === 'false') return false;
  if (raw === undefined || raw === null || raw === true || raw === 'true') return structuredClone(LOCKOUT_DEFAULTS);
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError('lockout', 'must be false or a mapping (user, client, ip, token, base_delay, max_delay)');
  const r = raw as Record<string, unknown>;
  unknownKeys(r, [...RULES, 'base_delay', 'max_delay'], 'lockout.');
  const base_delay = int(r, 'base_delay', 'lockout.', 1, DAY) ?? LOCKOUT_DEFAULTS.base_delay;
  const max_delay = int(r, 'max_delay', 'lockout.', 1, 30 * DAY) ?? LOCKOUT_DEFAULTS.max_delay;
  if (max_delay < base_delay) throw new ConfigError('lockout.max_delay', `must be at least base_delay (${base_delay})`);
  return {
    user: rule(r.user, 'user'), client: rule(r.client, 'client'), ip: rule(r.ip, 'ip'), token: rule(r.token, 'token'),
    base_delay, max_delay,
  };
}

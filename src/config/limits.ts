// Validation of the keys that bound what one caller can take: `rate_limit`,
// `trusted_proxies` (who may name the caller), and the HTTP timeouts and connection caps.
import { parseCidr } from '../http/client-ip.js';
import { ConfigError } from './error.js';
import { DEFAULTS, type BucketConfig, type Config, type RateLimitConfig } from './schema.js';

type Raw = Record<string, unknown>;

export type LimitKeys = Pick<Config,
  'rate_limit' | 'trusted_proxies' | 'http_headers_timeout' | 'http_request_timeout' | 'http_keep_alive_timeout'
  | 'max_connections' | 'max_connections_per_ip'>;

const isMapping = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

function number(v: unknown, key: string, min: number, max: number, whole: boolean): number {
  const n = typeof v === 'string' && /^\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < min || n > max || (whole && !Number.isInteger(n))) {
    throw new ConfigError(key, `must be a ${whole ? 'whole ' : ''}number from ${min} to ${max}`);
  }
  return n;
}

function flag(v: unknown): boolean | undefined {
  return v === false || v === 'false' ? false : v === true || v === 'true' ? true : undefined;
}

/** `{rate, burst}`; `burst` defaults to two seconds' worth. `false` turns the bucket off. */
function bucket(v: unknown, key: string, fallback: BucketConfig): BucketConfig | false {
  const f = flag(v);
  if (v === undefined || v === null || f === true) return { ...fallback };
  if (f === false) return false;
  if (!isMapping(v)) throw new ConfigError(key, 'must be false or a mapping with rate and burst');
  for (const k of Object.keys(v)) if (k !== 'rate' && k !== 'burst') throw new ConfigError(`${key}.${k}`, 'is not a known key (use rate and burst)');
  if (v.rate === undefined) throw new ConfigError(`${key}.rate`, 'is required (requests per second)');
  const rate = number(v.rate, `${key}.rate`, 0.001, 1_000_000, false);
  const burst = v.burst === undefined ? Math.max(1, Math.ceil(2 * rate)) : number(v.burst, `${key}.burst`, 1, 10_000_000, true);
  return { rate, burst };
}

function rateLimit(v: unknown): RateLimitConfig | false {
  const defaults = DEFAULTS.rate_limit;
  const f = flag(v);
  if (v === undefined || v === null || f === true) return { ip: { ...defaults.ip }, client: { ...defaults.client } };
  if (f === false) return false;
  if (!isMapping(v)) throw new ConfigError('rate_limit', 'must be false or a mapping with ip and client');
  for (const k of Object.keys(v)) if (k !== 'ip' && k !== 'client') throw new ConfigError(`rate_limit.${k}`, 'is not a known key (use ip and client)');
  return { ip: bucket(v.ip, 'rate_limit.ip', defaults.ip), client: bucket(v.client, 'rate_limit.client', defaults.client) };
}

function trustedProxies(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  const list = typeof v === 'string' ? v.split(/[\s,]+/).filter(Boolean) : v;
  if (!Array.isArray(list)) throw new ConfigError('trusted_proxies', 'must be a list of IP addresses or CIDRs');
  return list.map((e, i) => {
    const c = typeof e === 'string' ? parseCidr(e) : undefined;
    if (!c) throw new ConfigError(`trusted_proxies[${i}]`, `${JSON.stringify(e)} is not an IP address or CIDR (e.g. 10.0.0.0/8, 2001:db8::/32, 127.0.0.1)`);
    return `${c.address}/${c.prefix}`;
  });
}

const seconds = (raw: Raw, key: keyof LimitKeys & `http_${string}`): number =>
  raw[key] === undefined || raw[key] === null ? DEFAULTS[key] : number(raw[key], key, 1, 3600, true);
const count = (raw: Raw, key: 'max_connections' | 'max_connections_per_ip'): number =>
  raw[key] === undefined || raw[key] === null ? DEFAULTS[key] : number(raw[key], key, 0, 1_000_000, true);

export function validateLimits(raw: Raw): LimitKeys {
  const out: LimitKeys = {
    rate_limit: rateLimit(raw.rate_limit),
    trusted_proxies: trustedProxies(raw.trusted_proxies),
    http_headers_timeout: seconds(raw, 'http_headers_timeout'),
    http_request_timeout: seconds(raw, 'http_request_timeout'),
    http_keep_alive_timeout: seconds(raw, 'http_keep_alive_timeout'),
    max_connections: count(raw, 'max_connections'),
    max_connections_per_ip: count(raw, 'max_connections_per_ip'),
  };
  // Node refuses a headers timeout longer than the whole-request one.
  if (out.http_headers_timeout > out.http_request_timeout) {
    throw new ConfigError('http_headers_timeout', `must not exceed http_request_timeout (${out.http_request_timeout} s): the headers are part of the request`);
  }
  return out;
}

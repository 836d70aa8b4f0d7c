// Config of the browser sign-in (issue 9): redirect URIs, lifetimes and branding.
import { ConfigError } from './error.js';
import { isLoopbackHost } from './loopback.js';

type Raw = Record<string, unknown>;

/** Product name, logo and colours of the hosted login, consent and error pages. */
export interface BrandingConfig {
  product_name: string;
  logo_url?: string;
  /** CSS colours: buttons and links, and the page background. */
  primary_color: string;
  background_color: string;
}

export const DEFAULT_BRANDING: BrandingConfig = { product_name: 'Tessera', primary_color: '#1f5fbf', background_color: '#f4f6f9' };

/** #rgb / #rrggbb, or a CSS colour name: nothing that could close the style attribute. */
const COLOR = /^(#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6}|[a-zA-Z]{1,30})$/;

export function validateBranding(v: unknown): BrandingConfig {
  if (v === undefined || v === null) return { ...DEFAULT_BRANDING };
  if (typeof v !== 'object' || Array.isArray(v)) throw new ConfigError('branding', 'must be a mapping (product_name, logo_url, primary_color, background_color)');
  const r = v as Raw;
  for (const k of Object.keys(r)) {
    if (!['product_name', 'logo_url', 'primary_color', 'background_color'].includes(k)) throw new ConfigError(`branding.${k}`, 'is not a known key');
  }
  const out: BrandingConfig = { ...DEFAULT_BRANDING };
  if (r.product_name !== undefined) {
    if (typeof r.product_name !== 'string' || r.product_name.trim() === '' || r.product_name.length > 100) throw new ConfigError('branding.product_name', 'must be a non-empty string of at most 100 characters');
    out.product_name = r.product_name;
  }
  if (r.logo_url !== undefined) out.logo_url = webUrl(r.logo_url, 'branding.logo_url');
  for (const k of ['primary_color', 'background_color'] as const) {
    if (r[k] === undefined) continue;
    if (typeof r[k] !== 'string' || !COLOR.test(r[k])) throw new ConfigError(`branding.${k}`, 'must be a CSS colour: #rgb, #rrggbb or a colour name');
    out[k] = r[k];
  }
  return out;
}

/**
 * RFC 3986 §2: a URI is ASCII URI characters (unreserved, reserved, and `%` escapes) only.
 * new URL() is lenient (it drops tabs and newlines, percent-encodes spaces, quotes and
 * non-ASCII) but the value is kept as written and goes out as is, in a Location header
 * (where a newline is a 500) or a page: so anything else is refused here.
 */
const URI_CHARS = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+$/;

function uriChars(v: string, key: string): void {
  if (!URI_CHARS.test(v)) {
    throw new ConfigError(key, `${JSON.stringify(v.slice(0, 200))} has characters a URI cannot (RFC 3986 §2: spaces, quotes, <>, control or non-ASCII characters): percent-encode them`);
  }
}

/** An absolute https URL (http on loopback), as a logo or a client's web page. */
export function webUrl(v: unknown, key: string): string {
  if (typeof v !== 'string') throw new ConfigError(key, 'must be a URL');
  uriChars(v, key);
  let u: URL;
  try { u = new URL(v); } catch { throw new ConfigError(key, 'must be an absolute URL'); }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && isLoopbackHost(u.hostname))) throw new ConfigError(key, 'must be an https URL (http only on loopback)');
  return v;
}


/**
 * RFC 6749 §3.1.2: a redirect URI is absolute and has no fragment. Tessera also requires
 * https, except http on a loopback address (RFC 8252 §7.3, native apps) and a private-use
 * scheme in reverse-domain form (RFC 8252 §7.1, e.g. com.example.app:/callback).
 */
export function redirectUri(v: string, key: string): string {
  uriChars(v, key);
  let u: URL;
  try { u = new URL(v); } catch { throw new ConfigError(key, `${JSON.stringify(v)} is not an absolute URI (RFC 6749 §3.1.2)`); }
  if (u.hash || v.includes('#')) throw new ConfigError(key, `${JSON.stringify(v)} must not have a fragment (RFC 6749 §3.1.2)`);
  const scheme = u.protocol.slice(0, -1);
  if (scheme === 'https') return v;
  if (scheme === 'http') {
    if (isLoopbackHost(u.hostname)) return v;
    throw new ConfigError(key, `${JSON.stringify(v)}: http is only accepted on a loopback address (RFC 8252 §7.3); use https`);
  }
  // RFC 8252 §7.1: private-use schemes are reverse domain names; javascript:, data: etc. never.
  if (/^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+$/.test(scheme)) return v;
  throw new ConfigError(key, `${JSON.stringify(v)}: scheme ${scheme} is not allowed (https, loopback http, or a reverse-domain private-use scheme, RFC 8252 §7.1)`);
}

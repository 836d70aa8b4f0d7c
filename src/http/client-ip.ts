// Which address a request comes from. The socket's peer, unless that peer is a proxy the
// operator trusts (`trusted_proxies`): then the hops its X-Forwarded-For or Forwarded
// (RFC 7239) header lists, read from the right, skipping the trusted ones (RFC 7239 §5.2:
// each proxy appends the address it received the request from). Everything left of the
// first untrusted hop was written by the client and is never read. Fastify's `trustProxy`
// and `req.ip` are not used: `req.ip` is the socket peer.
import { BlockList, isIP } from 'node:net';

/**
 * One canonical text per address, so buckets and logs cannot be split by spelling:
 * IPv4 dotted decimal, IPv6 lower case with `::` compression (RFC 5952), an IPv4-mapped
 * IPv6 address (::ffff:a.b.c.d, what a dual-stack socket reports) as its IPv4 address,
 * a zone (`%eth0`) dropped. Undefined when `text` is not an IP address.
 */
export function canonicalIp(text: string): string | undefined {
  const zone = text.indexOf('%');
  const s = zone >= 0 ? text.slice(0, zone) : text;
  const family = isIP(s);
  if (family === 4) return s;
  if (family !== 6) return undefined;
  // The common case, cheaply: an IPv4 client of a dual-stack socket.
  if (/^::ffff:\d/i.test(s) && isIP(s.slice(7)) === 4) return s.slice(7);
  const v6 = new URL(`http://[${s}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(v6);
  if (!mapped) return v6;
  const hi = parseInt(mapped[1]!, 16);
  const lo = parseInt(mapped[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** An IPv4 address as itself; an IPv6 address as its /64, the smallest block one site is given. */
export function subnetKey(ip: string): string {
  if (!ip.includes(':')) return ip;
  const [head = '', tail] = ip.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups.slice(0, 4).join(':')}::/64`;
}

export interface Cidr {
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

/** `10.0.0.0/8`, `2001:db8::/32`, or a single address; undefined when malformed. */
export function parseCidr(text: string): Cidr | undefined {
  const m = /^([^/]+)(?:\/(\d{1,3}))?$/.exec(text.trim());
  const address = m ? canonicalIp(m[1]!) : undefined;
  if (!m || address === undefined) return undefined;
  const family = address.includes(':') ? 'ipv6' : 'ipv4';
  const max = family === 'ipv4' ? 32 : 128;
  let prefix = m[2] === undefined ? max : Number(m[2]);
  // An IPv4-mapped block (::ffff:10.0.0.0/104) is the IPv4 block it maps.
  if (family === 'ipv4' && m[1]!.includes(':') && m[2] !== undefined) {
    if (prefix < 96) return undefined;
    prefix -= 96;
  }
  return prefix <= max ? { address, prefix, family } : undefined;
}

/** The `trusted_proxies` list, checked with node:net's BlockList (IPv4 and IPv6 subnets). */
export class TrustedProxies {
  readonly size: number;
  readonly #list = new BlockList();
  readonly #seen = new Map<string, boolean>();

  constructor(entries: readonly string[]) {
    for (const e of entries) {
      const c = parseCidr(e);
      if (!c) throw new Error(`not an IP address or CIDR: ${JSON.stringify(e)}`);
      this.#list.addSubnet(c.address, c.prefix, c.family);
    }
    this.size = entries.length;
  }

  /** `ip` must be canonical (canonicalIp). */
  has(ip: string): boolean {
    if (this.size === 0) return false;
    // BlockList.check costs microseconds; the same few proxies and clients recur.
    let hit = this.#seen.get(ip);
    if (hit === undefined) {
      hit = this.#list.check(ip, ip.includes(':') ? 'ipv6' : 'ipv4');
      if (this.#seen.size >= 4096) this.#seen.clear();
      this.#seen.set(ip, hit);
    }
    return hit;
  }
}

/** A hop as a proxy writes it: `1.2.3.4`, `1.2.3.4:80`, `2001:db8::1`, `[2001:db8::1]`, `[2001:db8::1]:80`. */
function hopAddress(node: string): string | undefined {
  if (node.startsWith('[')) {
    const m = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(node);
    return m ? canonicalIp(m[1]!) : undefined;
  }
  if (isIP(node)) return canonicalIp(node);
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(node);
  return v4 ? canonicalIp(v4[1]!) : undefined;
}

const header = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v.join(', ') : v);

/** X-Forwarded-For: comma-separated hops, the client first. Empty list elements are skipped. */
export function xForwardedFor(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/**
 * RFC 7239 §4: `Forwarded: for=192.0.2.43, for="[2001:db8::1]:4711";proto=https`. Returns
 * each element's `for` value, in order; null when the header does not parse, or an element
 * has no `for` or repeats a parameter (§4: at most once per element).
 */
export function forwardedFor(value: string): string[] | null {
  const hops: string[] = [];
  let params = new Map<string, string>();
  let i = 0;
  const ows = () => { while (value[i] === ' ' || value[i] === '\t') i++; };
  const token = () => {
    const m = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/.exec(value.slice(i));
    if (!m) return undefined;
    i += m[0].length;
    return m[0];
  };
  const quoted = () => {
    let out = '';
    for (i++; i < value.length; i++) {
      const c = value[i]!;
      if (c === '"') { i++; return out; }
      if (c === '\\') i++;
      if (i < value.length) out += value[i];
    }
    return undefined; // unterminated
  };
  const endElement = () => {
    if (params.size === 0) return true; // an empty list element (RFC 9110 §5.6.1)
    const f = params.get('for');
    if (f === undefined) return false;
    hops.push(f);
    params = new Map();
    return true;
  };
  for (;;) {
    ows();
    if (i >= value.length) return endElement() ? hops : null;
    if (value[i] === ',') { if (!endElement()) return null; i++; continue; }
    if (value[i] === ';') { i++; continue; }
    const name = token()?.toLowerCase();
    if (name === undefined || value[i] !== '=') return null;
    i++;
    const v = value[i] === '"' ? quoted() : token();
    if (v === undefined || params.has(name)) return null;
    params.set(name, v);
    ows();
    if (i < value.length && value[i] !== ',' && value[i] !== ';') return null;
  }
}

/** From the right: the first hop not in `proxies`; the leftmost when all are; null when a hop read is not an address. */
function firstUntrusted(hops: readonly string[], proxies: TrustedProxies): string | null {
  let ip: string | undefined;
  for (let k = hops.length - 1; k >= 0; k--) {
    ip = hopAddress(hops[k]!);
    if (ip === undefined) return null; // `unknown`, an obfuscated name (RFC 7239 §6.3), garbage
    if (!proxies.has(ip)) return ip;
  }
  return ip ?? null;
}

/**
 * The client's address. A header counts only when the socket's peer is a trusted proxy.
 * When both headers are present and name different clients, one of them was passed
 * through from the client unchanged (a proxy writes one, not both): neither is believed,
 * and the address is the proxy's. Any malformed header also gives the proxy's address.
 */
export function clientIp(peer: string | undefined, headers: Record<string, string | string[] | undefined>, proxies: TrustedProxies): string {
  const socket = peer === undefined ? '' : canonicalIp(peer) ?? peer;
  if (!proxies.has(socket)) return socket;
  const xff = header(headers['x-forwarded-for']);
  const fwd = header(headers.forwarded);
  const fromXff = xff === undefined ? undefined : firstUntrusted(xForwardedFor(xff), proxies);
  const fwdHops = fwd === undefined ? undefined : forwardedFor(fwd);
  const fromFwd = fwdHops === undefined ? undefined : fwdHops === null ? null : firstUntrusted(fwdHops, proxies);
  if (fromXff === undefined && fromFwd === undefined) return socket;
  if (fromXff !== undefined && fromFwd !== undefined && fromXff !== fromFwd) return socket;
  return (fromXff ?? fromFwd) || socket;
}
